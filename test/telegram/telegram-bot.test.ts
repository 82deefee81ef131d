import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserError } from '../../shared/errors.js';
import { freePort } from '../../shared/process/local-redis.js';
import { SCHEMA_VERSION, queueNames, trainJobSchema, type TrainResult } from '../../shared/queue/contracts.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TrainControl } from '../../shared/queue/train-control.js';
import { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import { TrainingCancelled } from '../../trainer/training/cancelled.js';
import { startCurationWorker, type CurationWorkerHandle } from '../../trainer/curation-worker.js';
import { makePhoto, textFile } from '../helpers/images.js';
import { leakedImage } from '../helpers/log-leaks.js';
import { quietLogger } from '../helpers/pipeline.js';
import { runEntry } from '../helpers/run-list.js';
import { decodeRgb, maxPixelDifference, modelOutput } from '../bot/model-output.js';
import type { StoredMessage } from './bot-api-stand-in.js';
import { adminUser, alice, startTelegramHarness, type TelegramHarness } from './telegram-harness.js';

describe('Telegram bot against a Bot API stand-in, real Redis and a real worker', () => {
  let h: TelegramHarness;
  let translate: Queue;
  let train: Queue;

  let heartbeatRedis: Redis;
  let stopHeartbeat: () => Promise<void>;
  let curator: CurationWorkerHandle;

  before(async () => {
    h = await startTelegramHarness();
    await h.startWorker();
    await h.startBot();
    const connection = redisOptions(h.redis.url);
    translate = new Queue(queueNames.translate, { connection, prefix: h.config.QUEUE_PREFIX });
    train = new Queue(queueNames.train, { connection, prefix: h.config.QUEUE_PREFIX });
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
    await translate.close();
    await train.close();
    await h.close();
  });

  /** The bot's answers to a user message: its status message and its result (photo or document). */
  function answersTo(message: StoredMessage) {
    const replies = h.standIn.chatMessages(message.json.chat.id, { fromBot: true }).filter((m) => m.replyTo === message.json.message_id);
    return { status: replies.find((m) => m.upload === undefined), result: replies.find((m) => m.upload !== undefined), all: replies };
  }

  let firstSent: StoredMessage;
  let firstResult: StoredMessage;
  let firstInput: Buffer;

  it("registers the command menu: user commands for everyone, all commands in each admin's chat", () => {
    const calls = h.standIn.callsOf('setMyCommands');
    const names = (c: (typeof calls)[number]) => (c.params.commands as { command: string }[]).map((x) => x.command);
    const everyone = calls.find((c) => c.params.scope === undefined);
    const admin = calls.find((c) => (c.params.scope as { type?: string; chat_id?: number } | undefined)?.chat_id === adminUser.id);
    assert.ok(everyone && admin);
    assert.deepEqual(names(everyone), ['start', 'help', 'styles', 'style', 'status', 'cancel', 'forget']);
    assert.ok(
      ['retrain', 'curate', 'runs', 'cancelrun', 'status'].every((n) => names(admin).includes(n)),
      `admin menu ${JSON.stringify(names(admin))}`,
    );
  });

  it('a photo gets "Queued — position N (about T s)", edited as it runs, then the styled photo at full size (pixels equal the model run directly), which replaces the status message', async () => {
    firstInput = await makePhoto(96, 64);
    const thumbnail = await makePhoto(48, 32);
    const sent = h.standIn.sendPhoto(alice, [
      { bytes: thumbnail, width: 48, height: 32 },
      { bytes: firstInput, width: 96, height: 64 },
    ]);
    firstSent = sent;
    firstResult = await h.standIn.waitFor('the styled photo', () => answersTo(sent).result);
    const { status, all } = answersTo(sent);

    assert.equal(all.length, 2, 'a status message and the result');
    assert.ok(status);
    assert.match(status.texts[0]!, /^Queued — position 1 \(about \d+ s\)$/);
    await h.standIn.waitFor('the status message to go', () => status.deleted);
    assert.deepEqual(
      all.filter((m) => !m.deleted),
      [firstResult],
      'one message per request is left: the result',
    );
    const running = status.texts.slice(1);
    for (const between of running) assert.match(between, /^Running — .* \(\d+ %\)$/);
    if (running.length) {
      assert.ok(
        h.standIn.callsOf('sendChatAction').some((c) => Number(c.params.chat_id) === alice.id && c.params.action === 'upload_photo'),
        'while it ran, the chat showed "sending a photo"',
      );
    }

    assert.equal(firstResult.upload?.kind, 'photo');
    assert.equal(firstResult.caption, 'Pencil sketch');
    const delivered = await decodeRgb(firstResult.upload.bytes);
    const expected = await modelOutput(h.store, 'sketch', firstInput, h.config);
    assert.deepEqual([delivered.width, delivered.height], [96, 64]);
    assert.ok(maxPixelDifference(delivered, expected) <= 1, 'pixels equal the model output');
    assert.deepEqual(
      firstResult.buttons.map((b) => b.text),
      ['Cartoon'],
      'the other style; no "retry": the model has no randomness, a retry would give the same picture',
    );
    const thumbnailId = (sent.json.photo as { file_id: string }[])[0]!.file_id;
    assert.equal(h.standIn.fileTouched(thumbnailId), false, 'the largest size was downloaded, not the thumbnail');
  });

  it('the "other style" button produces a second result in that style, and the button press is answered', async () => {
    const cartoon = firstResult.buttons.find((b) => b.text === 'Cartoon')!;
    const queryId = h.standIn.pressButton(alice, firstResult, cartoon.data);
    const original = firstResult.replyTo!;
    const second = await h.standIn.waitFor('the cartoon result', () =>
      h.standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.upload && m !== firstResult && m.replyTo === original),
    );
    assert.equal(second.caption, 'Cartoon');
    const expected = await modelOutput(h.store, 'toon', firstInput, h.config);
    assert.ok(maxPixelDifference(await decodeRgb(second.upload!.bytes), expected) <= 1, 'pixels equal the toon model output');
    assert.ok(h.standIn.callsOf('answerCallbackQuery').some((c) => c.params.callback_query_id === queryId));
    assert.ok(
      second.buttons.some((b) => b.text === 'Pencil sketch'),
      'the second result offers the first style',
    );
  });

  it("an admin's /curate adds a result with its photo as a pair, or a photo as a sample, to a dataset under DATA_DIR", async () => {
    const pair = h.standIn.sendText(adminUser, '/curate faces', { replyTo: firstResult });
    const pairReply = await h.standIn.waitFor('the curate answer', () => answersTo(pair).status?.text);
    const [, a, b] = /^Added to faces: (A\/\w+\.jpg), (B\/\w+\.png)$/.exec(pairReply) ?? [];
    assert.ok(a && b, pairReply);
    assert.ok((await readFile(path.join(h.config.DATA_DIR, 'faces', a))).equals(firstInput), 'A is the photo the user sent');
    assert.ok((await readFile(path.join(h.config.DATA_DIR, 'faces', b))).equals(firstResult.upload!.bytes), 'B is the result');

    const sample = h.standIn.sendText(adminUser, '/curate photos A', { replyTo: firstSent });
    assert.match(await h.standIn.waitFor('the curate answer', () => answersTo(sample).status?.text), /^Added to photos: trainA\/\w+\.jpg$/);
    const refused = h.standIn.sendText(alice, '/curate photos A', { replyTo: firstSent });
    assert.equal(await h.standIn.waitFor('the refusal', () => answersTo(refused).status?.text), UserError.adminOnly().message);
  });

  it('a text file gets the not-an-image message (declared type or content), an oversized photo is refused before download; nothing is queued', async () => {
    const before = await translate.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    const typed = h.standIn.sendDocument(alice, textFile(), { fileName: 'notes.txt', mimeType: 'text/plain' });
    const untyped = h.standIn.sendDocument(alice, textFile(), { fileName: 'photo', mimeType: 'application/octet-stream' });
    const big = h.standIn.sendPhoto(alice, [{ bytes: await makePhoto(32, 32), width: 4000, height: 3000, declaredSize: 30 * 1024 * 1024 }]);

    const replyText = (m: StoredMessage) => h.standIn.waitFor(`the answer to message ${m.json.message_id}`, () => answersTo(m).status?.text);
    assert.equal(await replyText(typed), UserError.notAnImage().message);
    assert.equal(await replyText(untyped), UserError.notAnImage().message);
    assert.equal(await replyText(big), UserError.fileTooLarge(30 * 1024 * 1024, h.config.MAX_INPUT_BYTES).message);
    assert.equal(await replyText(big), 'The file is 30 MB; the limit is 20 MB. Send a smaller file.', 'sizes as the limit is set (20971520 bytes)');
    assert.equal(h.standIn.fileTouched((typed.json.document as { file_id: string }).file_id), false, 'the declared text file was not downloaded');
    assert.equal(h.standIn.fileTouched((untyped.json.document as { file_id: string }).file_id), true, 'the untyped file was checked by content');
    assert.equal(h.standIn.fileTouched((big.json.photo as { file_id: string }[])[0]!.file_id), false, 'the oversized photo was not downloaded');
    assert.equal(await translate.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed'), before, 'nothing was queued');
  });

  it('an admin’s /retrain of an unknown style is refused, and with no trainer running it says how to start one; nothing is queued', async () => {
    const reply = async (text: string) => {
      const message = h.standIn.sendText(adminUser, text);
      return h.standIn.waitFor(`the answer to ${text}`, () => answersTo(message).status?.text);
    };
    assert.equal(await reply('/retrain nope'), 'There is no style called "nope". Available styles: anime, sketch, toon.');
    await stopHeartbeat();
    try {
      assert.equal(await reply('/retrain toon'), UserError.noTrainer().message);
      assert.match(UserError.noTrainer().message, /npm run trainer/);
    } finally {
      stopHeartbeat = await new TrainerHeartbeat(heartbeatRedis, h.config.QUEUE_PREFIX).start('test-trainer');
    }
    assert.equal(await train.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed'), 0, 'nothing was queued');
  });

  it('a non-admin /retrain is refused and enqueues nothing; an admin /retrain enqueues a train job whose progress edits one message, and its end posts the summary image', async () => {
    const refused = h.standIn.sendText(alice, '/retrain sketch');
    assert.equal(await h.standIn.waitFor('the refusal', () => answersTo(refused).status?.text), UserError.adminOnly().message);
    assert.equal(await train.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed'), 0, 'nothing was enqueued');

    const summary = path.join(h.config.DATA_DIR, 'summary.png');
    const summaryBytes = await makePhoto(40, 30, 'png');
    await writeFile(summary, summaryBytes);
    const trainer = new Worker(
      queueNames.train,
      async (job): Promise<TrainResult> => {
        await job.updateProgress({ phase: 'training', percent: 50, step: 5, totalSteps: 10, losses: { G: 1.5 } });
        await new Promise((r) => setTimeout(r, 1500));
        return { v: SCHEMA_VERSION, runId: 'run-1', style: 'toon', version: 'v2', promoted: true, metrics: { fid: 42.5 }, summaryImage: summary };
      },
      { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX },
    );
    try {
      const command = h.standIn.sendText(adminUser, '/retrain toon faces');
      const notice = await h.standIn.waitFor('the training notice', () => h.standIn.chatMessages(adminUser.id, { fromBot: true }).find((m) => m.texts[0]?.startsWith('Training toon')));
      assert.equal(notice.texts[0], 'Training toon on faces: queued.');
      const job = await h.standIn.waitFor('the train job', async () => (await train.getJobs(['waiting', 'active', 'completed']))[0]);
      const data = trainJobSchema.parse(job.data);
      assert.deepEqual([data.kind, data.style, data.dataset, data.requestedBy], ['train', 'toon', 'faces', `telegram:${adminUser.id}`]);
      assert.deepEqual(data.notify, { platform: 'telegram', target: { chatId: adminUser.id, messageId: notice.json.message_id } });

      const photo = await h.standIn.waitFor('the summary image', () => h.standIn.chatMessages(adminUser.id, { fromBot: true }).find((m) => m.upload));
      assert.ok(photo.upload!.bytes.equals(summaryBytes), 'the summary image is posted as it is');
      assert.ok(
        notice.texts.some((t) => t.startsWith('Training toon: training 50 %, step 5/10')),
        `progress edit among ${JSON.stringify(notice.texts)}`,
      );
      assert.match(notice.texts.at(-1)!, /^Training of toon finished: version v2 promoted\.\nfid 42\.5/);
      assert.equal(command.json.chat.id, adminUser.id);
    } finally {
      await trainer.close();
    }
  });

  it('/runs lists the runs; /cancelrun removes a waiting run, stops a running one (its notice then says cancelled, checkpoint kept), refuses non-admins and unknown ids', async () => {
    const reply = async (user: typeof alice, text: string) => {
      const message = h.standIn.sendText(user, text);
      return h.standIn.waitFor(`the answer to ${text}`, () => answersTo(message).status?.text);
    };
    const notice = (style: string) =>
      h.standIn.waitFor(`the ${style} notice`, () => h.standIn.chatMessages(adminUser.id, { fromBot: true }).find((m) => m.texts[0] === `Training ${style}: queued.`));
    const earlier = (await train.getJobs(['completed']))[0]!;

    assert.equal(await reply(alice, '/runs'), UserError.adminOnly().message);
    h.standIn.sendText(adminUser, '/retrain sketch');
    await notice('sketch');
    const waiting = await h.standIn.waitFor('the waiting job', async () => (await train.getJobs(['waiting']))[0]);
    const listed = await reply(adminUser, '/runs');
    assert.equal(runEntry(listed, waiting.id!)?.title, 'Training sketch, by you');
    assert.match(runEntry(listed, waiting.id!)!.state, /^waiting since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    assert.match(runEntry(listed, earlier.id!)?.state ?? listed, /^promoted v2 — /, 'the earlier run, ended, with its outcome');
    assert.ok(listed.indexOf(waiting.id!) < listed.indexOf(earlier.id!), 'the open run comes first');

    assert.equal(await reply(alice, `/cancelrun ${waiting.id}`), UserError.adminOnly().message);
    assert.equal(await train.getJobState(waiting.id!), 'waiting', 'a refused cancel changes nothing');
    assert.equal(await reply(adminUser, `/cancelrun ${waiting.id}`), `Removed ${waiting.id} (Training sketch); it had not started.`);
    assert.equal(await train.getJob(waiting.id!), undefined, 'the run is gone from the queue');
    assert.equal(await reply(adminUser, '/cancelrun no-such-run'), 'There is no training or evaluation run with the job id "no-such-run".');

    const redis = createRedis(h.redis.url);
    const control = new TrainControl(redis, h.config.QUEUE_PREFIX);
    // Plays the trainer's side (trainer/train-worker.ts): reports a step, then honours the cancel flag with the trainer's reason.
    const trainer = new Worker(
      queueNames.train,
      async (job) => {
        await job.updateProgress({ phase: 'training', percent: 10, step: 3, totalSteps: 30 });
        await h.standIn.waitFor('the cancel flag', () => control.cancelRequested(job.id!));
        throw new UnrecoverableError(`cancelled: ${new TrainingCancelled(3).message}`);
      },
      { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX },
    );
    try {
      h.standIn.sendText(adminUser, '/retrain toon');
      const running = await notice('toon');
      await h.standIn.waitFor('the training progress', () => running.texts.at(-1)?.includes('step 3/30'));
      const active = (await train.getJobs(['active']))[0]!;
      assert.match(runEntry(await reply(adminUser, '/runs'), active.id!)?.state ?? '', /^running 10 % \(training, step 3\/30\), started \d{4}-/);
      assert.equal(
        await reply(adminUser, `/cancelrun ${active.id}`),
        `Stopping ${active.id} (Training toon): it stops after its current training step and keeps its checkpoint. The run list shows it as cancelled once it has.`,
      );
      await h.standIn.waitFor('the cancelled notice', () => running.texts.at(-1)?.includes('cancelled'));
      assert.equal(running.texts.at(-1), 'Training of toon cancelled: stopped at step 3; the last checkpoint is kept');
      assert.match(runEntry(await reply(adminUser, '/runs'), active.id!)?.state ?? '', /^cancelled: stopped at step 3; the last checkpoint is kept — /);
      assert.equal(await reply(adminUser, `/cancelrun ${active.id}`), `The run ${active.id} has already ended (cancelled); there is nothing to cancel.`);
    } finally {
      await trainer.close();
      redis.disconnect();
    }
  });

  it('webhook mode: setWebhook with the URL and secret; updates POSTed there with the secret are handled, others refused', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram-hook`;
    await h.startBot({ TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_PORT: String(port), TELEGRAM_WEBHOOK_SECRET: 'hook-secret' });
    const setWebhook = h.standIn.callsOf('setWebhook').at(-1);
    assert.equal(setWebhook?.params.url, url);
    assert.equal(setWebhook.params.secret_token, 'hook-secret');

    const post = (update: unknown, secret: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });
    const forged = h.standIn.webhookUpdate(alice, '/styles');
    assert.equal((await post(forged, 'wrong')).status, 401);
    const unsigned = h.standIn.webhookUpdate(adminUser, '/queue');
    const withoutHeader = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(unsigned) });
    assert.equal(withoutHeader.status, 401, 'an update without the secret header is refused, even in an admin’s name');
    const real = h.standIn.webhookUpdate(alice, '/styles');
    assert.equal((await post(real, 'hook-secret')).status, 200);
    const answer = await h.standIn.waitFor('the /styles answer', () => h.standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.replyTo === real.message.message_id));
    assert.match(answer.text!, /^Styles:\n• sketch — Pencil sketch \(default\)\n• toon — Cartoon/);
    assert.equal(h.standIn.chatMessages(alice.id, { fromBot: true }).filter((m) => m.replyTo === forged.message.message_id).length, 0);
    assert.equal(h.standIn.chatMessages(adminUser.id, { fromBot: true }).filter((m) => m.replyTo === unsigned.message.message_id).length, 0);
  });

  it('neither the bot token nor image bytes (base64 or hex) reach the logs of the bot and the worker', () => {
    assert.ok(
      h.logs.some((line) => line.includes('"bot":"telegram"')),
      'the bot logged',
    );
    assert.ok(
      h.logs.some((line) => line.includes('translate job done')),
      'the worker logged',
    );
    assert.ok(!h.logs.some((line) => line.includes(h.standIn.token.split(':')[1]!)), 'no log line holds the token');
    const images = [firstInput, ...h.standIn.chatMessages(alice.id, { fromBot: true }).flatMap((m) => (m.upload ? [m.upload.bytes] : []))];
    assert.ok(images.length >= 3, 'the photo and the results');
    assert.equal(leakedImage(h.logs, images), undefined, 'no image appears in the logs');
  });
});
