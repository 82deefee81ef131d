import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, it } from 'node:test';
import { Queue } from 'bullmq';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { decodeRgb, maxPixelDifference, modelOutput } from '../bot/model-output.js';
import { makePhoto } from '../helpers/images.js';
import { alice, startTelegramHarness, type TelegramHarness } from './telegram-harness.js';

let h: TelegramHarness;
before(async () => {
  h = await startTelegramHarness();
});
after(async () => {
  await h.close();
});

it('the bot process stopped after the job is queued and started again before delivery: the user gets exactly one photo', async () => {
  const { standIn } = h;
  // The first bot runs as `npm run bot` does, in its own process.
  const first = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const firstExit = new Promise<number | null>((resolve) => first.once('exit', resolve));
  try {
    await standIn.waitFor('the first bot to poll', () => standIn.callsOf('getUpdates').length > 0, 60_000);
    const input = await makePhoto(80, 60);
    const sent = standIn.sendPhoto(alice, [{ bytes: input, width: 80, height: 60 }]);
    const status = await standIn.waitFor('the queued message', () => standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.replyTo === sent.json.message_id));
    // No worker runs yet, so the request waits in the queue.
    assert.equal(status.texts[0], 'Queued — position 1 (waiting for a worker to start)');
    const translate = new Queue(queueNames.translate, { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX });
    try {
      const requestId = `tg-${alice.id}-${sent.json.message_id}`;
      await standIn.waitFor('the job in the queue', async () => (await translate.getJobState(requestId)) === 'waiting');

      first.kill('SIGTERM');
      assert.equal(await firstExit, 0, 'the bot stopped cleanly');

      // The job runs while no bot is up; its answer waits in the delivery queue.
      await h.startWorker();
      await standIn.waitFor('the translation to finish', async () => (await translate.getJobState(requestId)) === 'completed');
      assert.equal(standIn.chatMessages(alice.id, { fromBot: true }).filter((m) => m.upload).length, 0, 'nothing was delivered while no bot ran');
    } finally {
      await translate.close();
    }

    await h.startBot();
    const photo = await standIn.waitFor('the styled photo', () => standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.upload));
    // Give a duplicate (a redelivered update, a second delivery) time to show up, were there one.
    await new Promise((r) => setTimeout(r, 2000));

    const fromBot = standIn.chatMessages(alice.id, { fromBot: true });
    assert.equal(fromBot.filter((m) => m.upload).length, 1, 'exactly one photo');
    assert.equal(fromBot.length, 2, 'one status message and one photo, nothing else');
    assert.equal(photo.replyTo, sent.json.message_id);
    assert.equal(status.deleted, true, 'the status message gave way to the photo');
    const expected = await modelOutput(h.store, 'sketch', input, h.config);
    assert.ok(maxPixelDifference(await decodeRgb(photo.upload!.bytes), expected) <= 1, 'the photo is the model output');
  } finally {
    if (first.exitCode === null) first.kill('SIGKILL');
  }
});

it('the bot process SIGKILLed while it handles a photo whose update it already confirmed to Telegram: the next bot answers it, once', async () => {
  const { standIn } = h;
  await h.stopBot();
  const first = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: { ...process.env, ...h.env }, stdio: ['ignore', 'inherit', 'inherit'] });
  const firstExit = new Promise<void>((resolve) => first.once('exit', () => resolve()));
  const release = standIn.holdDownloads();
  try {
    const since = Date.now();
    await standIn.waitFor('the first bot to poll', () => standIn.callsOf('getUpdates').some((c) => c.at >= since), 60_000);
    const input = await makePhoto(80, 60);
    const sent = standIn.sendPhoto(alice, [{ bytes: input, width: 80, height: 60 }]);
    const fileId = (sent.json.photo as { file_id: string }[])[0]!.file_id;
    // The bot is downloading the photo (held) and has asked for more updates, which confirms this one: Telegram will not send it again.
    const download = await standIn.waitFor('the download to start', () => standIn.callsOf('getFile').find((c) => c.params.file_id === fileId));
    await standIn.waitFor('a later poll, which confirms the update', () => standIn.callsOf('getUpdates').some((c) => c.at > download.at));
    first.kill('SIGKILL');
    await firstExit;
    release();

    await h.startBot();
    const photo = await standIn.waitFor('the styled photo', () => standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.upload && m.replyTo === sent.json.message_id), 30_000);
    await new Promise((r) => setTimeout(r, 2000));
    const replies = standIn.chatMessages(alice.id, { fromBot: true }).filter((m) => m.replyTo === sent.json.message_id);
    assert.equal(replies.filter((m) => m.upload).length, 1, 'exactly one photo');
    assert.deepEqual(
      replies.filter((m) => !m.upload && !m.deleted).map((m) => m.texts[0]),
      [],
      'no other answer left in the chat',
    );
    assert.ok(photo.upload!.bytes.length > 0);
  } finally {
    release();
    if (first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
  }
});
