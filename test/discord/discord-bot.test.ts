import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { REST } from 'discord.js';
import { registerCommands } from '../../bot/discord/command-registration.js';
import { UserError } from '../../shared/errors.js';
import { SCHEMA_VERSION, queueNames, trainJobSchema, type TrainResult } from '../../shared/queue/contracts.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import { startCurationWorker, type CurationWorkerHandle } from '../../trainer/curation-worker.js';
import { decodeRgb, maxPixelDifference, modelOutput } from '../bot/model-output.js';
import { makePhoto, textFile } from '../helpers/images.js';
import { leakedImage } from '../helpers/log-leaks.js';
import { quietLogger } from '../helpers/pipeline.js';
import { runEntry } from '../helpers/run-list.js';
import { sleep } from '../helpers/wait-for.js';
import { adminUser, alice, bob, startDiscordHarness, type DiscordHarness } from './discord-harness.js';
import type { DiscordUser, StoredInteraction, StoredMessage } from './discord-stand-in.js';

const ephemeral = 64;
const deferredCallback = 5;
const messageCallback = 4;
const autocompleteCallback = 8;
const allJobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;

describe('Discord bot against a Discord stand-in (REST and gateway), real Redis and a real worker', () => {
  let h: DiscordHarness;

  let heartbeatRedis: Redis;
  let stopHeartbeat: () => Promise<void>;
  let curator: CurationWorkerHandle;

  before(async () => {
    h = await startDiscordHarness();
    await h.startWorker();
    await h.startBot();
    // The trainer's heartbeat (trainer/train-worker.ts beats the same way): the admin tests' BullMQ workers play the trainer.
    heartbeatRedis = createRedis(h.redis.url);
    stopHeartbeat = await new TrainerHeartbeat(heartbeatRedis, h.config.QUEUE_PREFIX).start('test-trainer');
    // The trainer's side of /curate, which trainer/train-worker.ts starts beside its train queue worker.
    curator = await startCurationWorker({ config: h.config, logger: quietLogger(h.config), redisUrl: h.redis.url });
  });

  after(async () => {
    await curator.close();
    await stopHeartbeat();
    heartbeatRedis.disconnect();
    await h.close();
  });

  /** The interaction's reply once it carries an image. */
  const result = (interaction: StoredInteraction) =>
    h.standIn.waitFor(`the result of interaction ${interaction.id}`, () => {
      const reply = h.standIn.replyOf(interaction);
      return reply?.attachments.length ? reply : undefined;
    });

  /** Asserts that an image file the bot sent is what the model makes of `input`. */
  async function assertModelOutput(bytes: Buffer, style: string, input: Buffer): Promise<void> {
    const expected = await modelOutput(h.store, style, input, h.config);
    const delivered = await decodeRgb(bytes);
    assert.deepEqual([delivered.width, delivered.height], [expected.width, expected.height]);
    assert.ok(maxPixelDifference(delivered, expected) <= 1, `pixels equal the ${style} model output`);
  }

  it('connects to the gateway that GET /gateway/bot names: v10 JSON without compression, identifies with its token, its heartbeats are acknowledged', async () => {
    const { standIn } = h;
    assert.ok(standIn.calls.some((c) => c.method === 'GET' && c.route === '/gateway/bot' && c.authorized));
    const [session] = standIn.gateway.sessions;
    assert.ok(session?.identify);
    assert.deepEqual(Object.fromEntries(session.query), { v: '10', encoding: 'json' });
    assert.equal(session.identify.token, standIn.token);
    assert.equal(session.identify.intents, 0, 'interactions need no intents');
    await standIn.waitFor('a heartbeat', () => session.heartbeats > 0, 5000);
    assert.equal(session.closed, false, 'the connection stays up');
  });

  let firstInput: Buffer;
  let firstResult: StoredMessage;

  it('/anime: a private deferred callback at once, then a public message edited with the queue position and progress, then a PATCH whose file is the model output', async () => {
    const { standIn } = h;
    firstInput = await makePhoto(96, 64);
    const downloadsBefore = standIn.downloads.length;
    const interaction = standIn.anime(alice, { bytes: firstInput, filename: 'cat.jpg', contentType: 'image/jpeg', width: 96, height: 64 });
    const reply = await result(interaction);
    firstResult = reply;

    assert.deepEqual(
      interaction.callbacks.map((c) => c.type),
      [deferredCallback],
    );
    assert.ok(interaction.callbacks[0]!.at - interaction.createdAt < 3000, 'deferred within 3 s');
    assert.equal(Number(interaction.callbacks[0]!.data?.flags) & ephemeral, ephemeral, 'deferred privately: until the image is checked, only the user sees anything');
    assert.equal(reply.flags & ephemeral, 0, 'everyone in the channel sees the accepted request and its result');
    assert.equal(interaction.original?.deleted, true, 'the private reply gave way: one message for the request');
    assert.match(reply.contents[0]!, /^Queued — position 1 \(about \d+ s\)$/);
    assert.ok(
      reply.contents.slice(1, -1).some((c) => /^Running — .+ \(\d+ %\)$/.test(c)),
      `a progress edit among ${JSON.stringify(reply.contents)}`,
    );
    assert.match(reply.content, /^Done — Pencil sketch, 96×64, [\d.]+ s$/);
    assert.equal(standIn.downloads.length, downloadsBefore + 1, 'the attachment was downloaded once');

    const withFiles = standIn.webhookCalls(interaction).filter((c) => c.method === 'PATCH' && c.route.endsWith(`/messages/${reply.id}`) && c.files.length);
    assert.equal(withFiles.length, 1, 'one PATCH carries the image');
    const [file] = withFiles[0]!.files;
    assert.deepEqual([file!.filename, file!.contentType], ['sketch.png', 'image/png']);
    await assertModelOutput(file!.bytes, 'sketch', firstInput);
    assert.equal(reply.attachments[0]!.description, 'Pencil sketch');
    assert.deepEqual(
      reply.buttons.map((b) => b.label),
      ['Cartoon'],
      'the other style; no "retry": the model has no randomness, a retry would give the same picture',
    );
  });

  it('the "Animeify" context menu on a message with an image works the same way; the "other style" button produces a second result', async () => {
    const { standIn } = h;
    const input = await makePhoto(80, 48, 'png');
    const posted = standIn.postMessage(alice, { text: 'my dog', attachments: [{ bytes: input, filename: 'dog.png', contentType: 'image/png', width: 80, height: 48 }] });
    const menu = standIn.messageCommand(alice, 'Animeify', posted);
    const reply = await result(menu);
    assert.deepEqual(
      menu.callbacks.map((c) => c.type),
      [deferredCallback],
    );
    assert.match(reply.contents[0]!, /^Queued — position \d+/);
    assert.match(reply.content, /^Done — Pencil sketch, 80×48/);
    await assertModelOutput(reply.attachments[0]!.bytes, 'sketch', input);

    const cartoon = reply.buttons.find((b) => b.label === 'Cartoon');
    assert.ok(cartoon);
    const press = standIn.pressButton(alice, reply, cartoon.customId);
    const second = await result(press);
    assert.deepEqual(
      press.callbacks.map((c) => c.type),
      [deferredCallback],
      'the button press is acknowledged with a new reply',
    );
    assert.match(second.content, /^Done — Cartoon, 80×48/);
    await assertModelOutput(second.attachments[0]!.bytes, 'toon', input);
    assert.ok(
      second.buttons.some((b) => b.label === 'Pencil sketch'),
      'the second result offers the first style',
    );
    assert.equal(reply.attachments.length, 1, 'the first result is unchanged');
  });

  it('"Animeify" on a posted image link styles the linked image (its embed); on a message without an image it says so', async () => {
    const { standIn } = h;
    const input = await makePhoto(64, 80, 'webp');
    const link = standIn.hostFile({ bytes: input, filename: 'photo.webp' });
    const embed = { type: 'image', url: link.url, thumbnail: { url: link.url, proxy_url: link.url, width: 64, height: 80 } };
    const menu = standIn.messageCommand(alice, 'Animeify', standIn.postMessage(alice, { text: link.url, embeds: [embed] }));
    const reply = await result(menu);
    assert.ok(standIn.downloaded(link.id));
    assert.match(reply.content, /^Done — Pencil sketch, 64×80/);
    await assertModelOutput(reply.attachments[0]!.bytes, 'sketch', input);

    const plain = standIn.messageCommand(alice, 'Animeify', standIn.postMessage(alice, { text: 'no picture here' }));
    assert.match(await standIn.waitFor('the answer', () => plain.original?.contents.at(-1)), /^That message has no image\./);
    assert.equal(plain.original!.flags & ephemeral, ephemeral, 'only the user sees the refusal');
  });

  it('the style option offers the installed styles as autocomplete choices', async () => {
    const typing = h.standIn.autocomplete(alice, 'anime', { name: 'style', value: 'car' });
    const callback = await h.standIn.waitFor('the choices', () => typing.callbacks[0]);
    assert.equal(callback.type, autocompleteCallback);
    assert.deepEqual(callback.data?.choices, [{ name: 'Cartoon', value: 'toon' }]);
  });

  it('a non-image attachment and an oversized one get their messages from the declared metadata: nothing is downloaded or enqueued', async () => {
    const { standIn } = h;
    const jobsBefore = await h.translate.getJobCountByTypes(...allJobStates);
    const downloadsBefore = standIn.downloads.length;
    const text = standIn.anime(alice, { bytes: textFile(), filename: 'notes.txt', contentType: 'text/plain; charset=utf-8' });
    const hugeSize = 30 * 1024 * 1024;
    const huge = standIn.anime(alice, { bytes: await makePhoto(32, 32), filename: 'huge.jpg', contentType: 'image/jpeg', declaredSize: hugeSize, width: 8000, height: 6000 });

    const answer = (i: StoredInteraction) => standIn.waitFor(`the answer to ${i.id}`, () => i.original?.contents.at(-1));
    assert.equal(await answer(text), UserError.notAnImage().message);
    assert.equal(await answer(huge), UserError.fileTooLarge(hugeSize, h.config.MAX_INPUT_BYTES).message);
    assert.equal(await answer(huge), 'The file is 30 MB; the limit is 20 MB. Send a smaller file.');
    for (const refused of [text, huge]) assert.equal(refused.original!.flags & ephemeral, ephemeral, 'only the user sees the refusal');
    assert.equal(standIn.downloads.length, downloadsBefore, 'neither file was downloaded');
    assert.equal(await h.translate.getJobCountByTypes(...allJobStates), jobsBefore, 'nothing was enqueued');
  });

  it('/admin retrain: refused for a user outside the allowlist (nothing enqueued); an allowed admin’s enqueues a train job whose notice is edited with its progress', async () => {
    const { standIn } = h;
    const refused = standIn.admin(alice, 'retrain', { style: 'sketch' });
    const refusal = await standIn.waitFor('the refusal', () => refused.original);
    assert.deepEqual(
      refused.callbacks.map((c) => c.type),
      [messageCallback],
    );
    assert.equal(refusal.content, UserError.adminOnly().message);
    assert.equal(refusal.flags & ephemeral, ephemeral, 'only the user sees the refusal');
    assert.equal(await h.train.getJobCountByTypes(...allJobStates), 0, 'nothing was enqueued');

    const summary = path.join(h.config.DATA_DIR, 'summary.png');
    const summaryBytes = await makePhoto(40, 30, 'png');
    await writeFile(summary, summaryBytes);
    const trainer = new Worker(
      queueNames.train,
      async (job): Promise<TrainResult> => {
        await job.updateProgress({ phase: 'training', percent: 50, step: 5, totalSteps: 10, losses: { G: 1.5 } });
        await sleep(1500);
        return { v: SCHEMA_VERSION, runId: 'run-1', style: 'toon', version: 'v2', promoted: true, metrics: { fid: 42.5 }, summaryImage: summary };
      },
      { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX },
    );
    try {
      const accepted = standIn.admin(adminUser, 'retrain', { style: 'toon', dataset: 'faces' });
      // Posted for the channel once the private acknowledgement is gone.
      const notice = await standIn.waitFor('the training notice', () => {
        const reply = standIn.replyOf(accepted);
        return accepted.original?.deleted && reply?.contents.length ? reply : undefined;
      });
      assert.equal(notice.flags & ephemeral, 0, 'the notice is public (it is edited after the token expired)');
      assert.equal(notice.contents[0], 'Training toon on faces: queued.');
      assert.deepEqual(
        accepted.callbacks.map((c) => c.type),
        [deferredCallback],
      );
      const job = await standIn.waitFor('the train job', async () => (await h.train.getJobs([...allJobStates]))[0]);
      const data = trainJobSchema.parse(job.data);
      assert.deepEqual([data.kind, data.style, data.dataset, data.requestedBy], ['train', 'toon', 'faces', `discord:${adminUser.id}`]);
      assert.equal(data.notify?.platform, 'discord');
      assert.equal(data.notify.target.messageId, notice.id);

      const image = await standIn.waitFor('the summary image', () => accepted.followups.find((m) => m.attachments.length));
      assert.ok(image.attachments[0]!.bytes.equals(summaryBytes), 'the summary image is posted as it is');
      assert.ok(
        notice.contents.some((c) => c.startsWith('Training toon: training 50 %, step 5/10')),
        `progress edit among ${JSON.stringify(notice.contents)}`,
      );
      assert.match(notice.content, /^Training of toon finished: version v2 promoted\.\nfid 42\.5/);
    } finally {
      await trainer.close();
    }
  });

  it('/admin runs lists a waiting run; /admin cancelrun removes it, refuses a user outside the allowlist and names an unknown id', async () => {
    const { standIn } = h;
    const answer = async (user: DiscordUser, subcommand: string, options: Record<string, string> = {}) => {
      const interaction = standIn.admin(user, subcommand, options);
      const text = await standIn.waitFor(`the answer to /admin ${subcommand}`, () => interaction.original?.contents.at(-1));
      assert.equal(interaction.original!.flags & ephemeral, ephemeral, 'only the admin sees it');
      return text;
    };
    assert.equal(await answer(alice, 'runs'), UserError.adminOnly().message);
    const queued = standIn.admin(adminUser, 'retrain', { style: 'sketch' });
    await standIn.waitFor('the training notice', () => standIn.replyOf(queued)?.contents[0] === 'Training sketch: queued.');
    const waiting = await standIn.waitFor('the waiting job', async () => (await h.train.getJobs(['waiting']))[0]);
    const listed = await answer(adminUser, 'runs');
    assert.equal(runEntry(listed, waiting.id!)?.title, 'Training sketch, by you');
    assert.match(runEntry(listed, waiting.id!)!.state, /^waiting since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);

    assert.equal(await answer(alice, 'cancelrun', { job: waiting.id! }), UserError.adminOnly().message);
    assert.equal(await h.train.getJobState(waiting.id!), 'waiting', 'a refused cancel changes nothing');
    assert.equal(await answer(adminUser, 'cancelrun', { job: waiting.id! }), `Removed ${waiting.id} (Training sketch); it had not started.`);
    assert.equal(await h.train.getJob(waiting.id!), undefined, 'the run is gone from the queue');
    assert.equal(runEntry(await answer(adminUser, 'runs'), waiting.id!), undefined, 'nor is it listed');
    assert.equal(await answer(adminUser, 'cancelrun', { job: 'no-such-run' }), 'There is no training or evaluation run with the job id "no-such-run".');
  });

  it('/admin curate adds one of the bot’s results with its photo as a pair (from a message link), or an attached image to a domain', async () => {
    const { standIn } = h;
    const link = `https://discord.com/channels/${standIn.guildId}/${standIn.channelId}/${firstResult.id}`;
    const pair = standIn.admin(adminUser, 'curate', { dataset: 'faces', result: link });
    const pairAnswer = await standIn.waitFor('the pair answer', () => pair.original?.contents.at(-1));
    assert.match(pairAnswer, /^Added to faces: \S+/);
    assert.equal(pair.original!.flags & ephemeral, ephemeral);
    const pairFiles = pairAnswer.replace('Added to faces: ', '').split(', ');
    assert.equal(pairFiles.length, 2, 'the photo and the result');
    const [photo, styled] = await Promise.all(pairFiles.map((f) => readFile(path.join(h.config.DATA_DIR, 'faces', f))));
    assert.ok(photo!.equals(firstInput), 'the photo is the one the request was made with');
    assert.ok(styled!.equals(firstResult.attachments[0]!.bytes), 'the result is the one the bot sent');

    const sample = standIn.admin(adminUser, 'curate', { dataset: 'toons', domain: 'B', image: { bytes: await makePhoto(64, 64, 'png'), filename: 'toon.png', contentType: 'image/png' } });
    assert.match(await standIn.waitFor('the sample answer', () => sample.original?.contents.at(-1)), /^Added to toons: trainB\//);
  });

  it('/styles, /style, /status and /cancel answer only the user; /cancel takes back a waiting request, whose reply then says so', async () => {
    const { standIn } = h;
    const carol: DiscordUser = { id: '310000000000000003', username: 'carol' };
    const answer = (i: StoredInteraction) => standIn.waitFor(`the answer to ${i.id}`, () => i.original?.contents.at(-1));
    const styles = standIn.slashCommand(carol, 'styles', []);
    assert.match(await answer(styles), /^Styles:\n• sketch — Pencil sketch \(default\)\n• toon — Cartoon\n\nPick one with the style option of \/anime/);
    assert.equal(styles.original!.flags & ephemeral, ephemeral);
    assert.equal(await answer(standIn.slashCommand(carol, 'style', [{ name: 'name', type: 3, value: 'toon' }])), 'Your default style is now Cartoon.');

    await h.translate.pause();
    try {
      const request = standIn.anime(carol, { bytes: await makePhoto(64, 64), filename: 'e.jpg', contentType: 'image/jpeg' });
      await standIn.waitFor('the queued reply', () => standIn.replyOf(request)?.contents[0]?.startsWith('Queued'));
      // The "Queued" reply goes out before the request joins the user's list (the job carries that reply's
      // message), so a /status sent the instant it shows can miss it by a Redis round trip: ask until it is in.
      const status = async () => answer(standIn.slashCommand(carol, 'status', []));
      let listed = await status();
      for (let i = 0; i < 20 && !listed.startsWith('Your requests'); i++) listed = await status();
      assert.match(listed, /^Your requests:\n• Cartoon: Queued — position 1/);
      const cancel = standIn.slashCommand(carol, 'cancel', []);
      assert.equal(await answer(cancel), 'Cancelled your waiting request.');
      assert.equal(cancel.original!.flags & ephemeral, ephemeral);
      await standIn.waitFor('the cancelled reply', () => standIn.replyOf(request)!.content === 'Cancelled.');
    } finally {
      await h.translate.resume();
    }
  });

  it('npm run discord:register’s registration puts /anime, "Animeify", the user commands and /admin (Administrator by default) for a guild', async () => {
    const { standIn } = h;
    const rest = new REST({ api: standIn.apiBase }).setToken(standIn.token);
    const registration = await registerCommands(rest, { guildId: standIn.guildId });
    assert.equal(registration.applicationId, standIn.applicationId, 'the application id comes from the token when unset');
    const commands = standIn.registeredCommands.get(standIn.guildId) ?? [];
    assert.deepEqual(commands.map((c) => c.name).sort(), ['Animeify', 'admin', 'anime', 'cancel', 'forget', 'help', 'status', 'style', 'styles']);
    const byName = (name: string) => commands.find((c) => c.name === name)!;
    assert.equal(byName('Animeify').type, 3, 'a message context menu');
    assert.equal(byName('admin').default_member_permissions, '8', 'hidden from non-administrators');
    const animeOptions = byName('anime').options as { name: string; type: number; required?: boolean; autocomplete?: boolean }[];
    assert.deepEqual(
      animeOptions.map((o) => [o.name, o.type, o.required ?? false, o.autocomplete ?? false]),
      [
        ['image', 11, true, false],
        ['style', 3, false, true],
        ['private', 5, false, false],
      ],
    );
    const subcommands = (byName('admin').options as { name: string }[]).map((o) => o.name);
    assert.deepEqual(subcommands, ['retrain', 'eval', 'models', 'promote', 'rollback', 'queue', 'runs', 'cancelrun', 'curate']);
    const cancelOptions = (byName('admin').options as { name: string; options?: { name: string; required?: boolean }[] }[]).find((o) => o.name === 'cancelrun')?.options;
    assert.deepEqual(
      cancelOptions?.map((o) => [o.name, o.required]),
      [['job', true]],
    );
  });

  it('a job that completes after the interaction token expired is delivered as a channel message mentioning the user (by DM when private or when the channel is closed to the bot)', async () => {
    const { standIn } = h;
    const lifetimeMs = 1500;
    const inputs = { early: await makePhoto(64, 48), public: await makePhoto(72, 48), private: await makePhoto(48, 64), locked: await makePhoto(64, 64) };
    const queued = (request: StoredInteraction) => standIn.waitFor('the queued reply', () => standIn.replyOf(request)?.contents[0]?.startsWith('Queued'));
    let early: StoredInteraction;
    let publicRequest: StoredInteraction;
    let privateRequest: StoredInteraction;
    let lockedRequest: StoredInteraction;
    await h.translate.pause();
    try {
      // Discord refuses this token before the bot's clock says it expired (the bot runs with the 15 minutes).
      early = standIn.anime(bob, { bytes: inputs.early, filename: 'a.jpg', contentType: 'image/jpeg' }, { tokenLifetimeMs: lifetimeMs });
      await queued(early);
      await h.stopBot();
      await h.startBot({ DISCORD_INTERACTION_TTL_MS: String(lifetimeMs) });
      publicRequest = standIn.anime(alice, { bytes: inputs.public, filename: 'b.jpg', contentType: 'image/jpeg' }, { tokenLifetimeMs: lifetimeMs });
      privateRequest = standIn.anime(alice, { bytes: inputs.private, filename: 'c.jpg', contentType: 'image/jpeg' }, { private: true, tokenLifetimeMs: lifetimeMs });
      lockedRequest = standIn.anime(bob, { bytes: inputs.locked, filename: 'd.jpg', contentType: 'image/jpeg' }, { channelId: standIn.lockedChannelId, tokenLifetimeMs: lifetimeMs });
      for (const request of [publicRequest, privateRequest, lockedRequest]) await queued(request);
      await sleep(lockedRequest.createdAt + lifetimeMs + 100 - Date.now());
    } finally {
      await h.translate.resume();
    }

    const cases = [
      { request: early, user: bob, input: inputs.early, size: '64×48' },
      { request: publicRequest, user: alice, input: inputs.public, size: '72×48' },
    ];
    for (const { request, user, input, size } of cases) {
      const reply = standIn.replyOf(request)!;
      const answer = await standIn.waitFor(`the channel answer to ${user.username}`, () =>
        standIn.messagesIn(standIn.channelId, { fromBot: true }).find((m) => !m.interactionId && m.replyTo === reply.id),
      );
      assert.match(answer.content, new RegExp(`^<@${user.id}> Done — Pencil sketch, ${size}`));
      assert.deepEqual(answer.pings, [user.id], 'the user, and only the user, is notified');
      await assertModelOutput(answer.attachments[0]!.bytes, 'sketch', input);
      assert.ok(
        answer.buttons.some((b) => b.label === 'Cartoon'),
        'the buttons come with it',
      );
      assert.equal(reply.attachments.length, 0, 'the expired reply got no image');
      assert.match(reply.content, /^Done — /, 'the expired reply was edited as the bot’s channel message');
    }
    const imagePatches = (request: StoredInteraction) => standIn.webhookCalls(request).filter((c) => c.method === 'PATCH' && c.files.length);
    assert.ok(imagePatches(early).length > 0 && imagePatches(early).every((c) => c.status === 401), 'the early token was refused by Discord');
    assert.equal(imagePatches(publicRequest).length, 0, 'the bot knew that this token had expired');

    const dmAnswer = async (user: DiscordUser) => {
      const channel = await standIn.waitFor(`a DM channel with ${user.username}`, () => standIn.dmChannelOf(user.id));
      return standIn.waitFor(`the DM answer to ${user.username}`, () => standIn.messagesIn(channel).find((m) => m.attachments.length));
    };
    const privateAnswer = await dmAnswer(alice);
    assert.match(privateAnswer.content, /^Done — Pencil sketch, 48×64/);
    await assertModelOutput(privateAnswer.attachments[0]!.bytes, 'sketch', inputs.private);
    const lockedAnswer = await dmAnswer(bob);
    assert.match(lockedAnswer.content, /^Done — Pencil sketch, 64×64/);
    await assertModelOutput(lockedAnswer.attachments[0]!.bytes, 'sketch', inputs.locked);
    assert.equal(standIn.messagesIn(standIn.lockedChannelId, { fromBot: true }).filter((m) => !m.interactionId).length, 0);
    assert.equal(
      standIn.messagesIn(standIn.channelId, { fromBot: true }).filter((m: StoredMessage) => !m.interactionId).length,
      cases.length,
      'the private result did not go to the channel',
    );
    assert.ok(privateRequest.original!.content.startsWith('Queued'), 'the private reply could not be edited any more');
  });

  it('neither the bot token nor image bytes (base64 or hex) reach the logs of the bot and the worker', () => {
    const { logs, standIn } = h;
    assert.ok(
      logs.some((line) => line.includes('"bot":"discord"')),
      'the bot logged',
    );
    assert.ok(
      logs.some((line) => line.includes('translate job done')),
      'the worker logged',
    );
    assert.ok(!logs.some((line) => line.includes(standIn.token.split('.').at(-1)!)), 'no log line holds the token');
    const sent = [standIn.channelId, standIn.dmChannelOf(alice.id), standIn.dmChannelOf(bob.id)].flatMap((channel) =>
      channel ? standIn.messagesIn(channel, { fromBot: true }).flatMap((m) => m.attachments.map((a) => a.bytes)) : [],
    );
    const images = [firstInput, ...sent];
    assert.ok(images.length >= 8, 'the photo and the results');
    assert.equal(leakedImage(logs, images), undefined, 'no image appears in the logs');
  });
});
