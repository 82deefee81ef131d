import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, it } from 'node:test';
import { decodeRgb, maxPixelDifference, modelOutput } from '../bot/model-output.js';
import { makePhoto } from '../helpers/images.js';
import { sleep } from '../helpers/wait-for.js';
import { alice, startDiscordHarness, type DiscordHarness } from './discord-harness.js';

let h: DiscordHarness;
before(async () => {
  h = await startDiscordHarness();
});
after(async () => {
  await h.close();
});

it('the bot process stopped after the job is queued and started again before delivery: the user gets exactly one answer', async () => {
  const { standIn, translate } = h;
  // The first bot runs as `npm run bot` does, in its own process.
  const first = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const firstExit = new Promise<number | null>((resolve) => first.once('exit', resolve));
  try {
    await standIn.waitFor('the first bot on the gateway', () => standIn.gateway.ready.length > 0, 60_000);
    const input = await makePhoto(80, 60);
    const request = standIn.anime(alice, { bytes: input, filename: 'cat.jpg', contentType: 'image/jpeg' });
    // Posted for the channel as a follow-up of the private "thinking" reply, which goes.
    const reply = await standIn.waitFor('the queued reply', () => (request.original?.deleted ? standIn.replyOf(request) : undefined));
    // No worker runs yet, so the request waits in the queue.
    assert.equal(reply.contents[0], 'Queued — position 1 (waiting for a worker to start)');
    const requestId = `dc-${request.id}`;
    await standIn.waitFor('the job in the queue', async () => (await translate.getJobState(requestId)) === 'waiting');

    first.kill('SIGTERM');
    assert.equal(await firstExit, 0, 'the bot stopped cleanly');
    assert.equal(standIn.gateway.sessions[0]?.closeCode, 1000, 'it left the gateway with a normal close');

    // The job runs while no bot is up; its answer waits in the delivery queue.
    await h.startWorker();
    await standIn.waitFor('the translation to finish', async () => (await translate.getJobState(requestId)) === 'completed');
    assert.equal(reply.attachments.length, 0, 'nothing was delivered while no bot ran');

    await h.startBot();
    await standIn.waitFor('the result', () => reply.attachments.length > 0);
    // Give a duplicate (a second delivery, a fallback message) time to show up, were there one.
    await sleep(2000);

    const deliveries = standIn.webhookCalls(request).filter((c) => c.method === 'PATCH' && c.files.length);
    assert.equal(deliveries.length, 1, 'exactly one edit carries the image');
    assert.equal(standIn.messagesIn(standIn.channelId, { fromBot: true }).filter((m) => !m.interactionId).length, 0, 'no other message was sent');
    assert.match(reply.content, /^Done — Pencil sketch, 80×60/);
    const expected = await modelOutput(h.store, 'sketch', input, h.config);
    assert.ok(maxPixelDifference(await decodeRgb(reply.attachments[0]!.bytes), expected) <= 1, 'the image is the model output');
  } finally {
    if (first.exitCode === null) first.kill('SIGKILL');
  }
});
