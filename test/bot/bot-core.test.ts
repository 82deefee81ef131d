import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { z } from 'zod';
import { AnswerClaims } from '../../bot/core/answer-claims.js';
import { BotCore } from '../../bot/core/bot-core.js';
import type { IncomingImage } from '../../bot/core/image-intake.js';
import type { Answer, PlatformAdapter } from '../../bot/core/platform-adapter.js';
import { UserError, type UserErrorCode } from '../../shared/errors.js';
import { ModelStoreError, type ModelStore } from '../../shared/models/model-store.js';
import { queueNames, translateJobSchema } from '../../shared/queue/contracts.js';
import { unrecoverable } from '../../shared/queue/queues.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { makePhoto } from '../helpers/images.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';

const targetSchema = z.object({ user: z.string(), n: z.number() });
type Target = z.infer<typeof targetSchema>;

/** An adapter that records what the core asks of the platform. */
class RecordingAdapter implements PlatformAdapter<Target, Target> {
  readonly platform = 'cli' as const;
  readonly targetSchema = targetSchema;
  readonly noticeTargetSchema = targetSchema;
  readonly progressIntervalMs = 10;
  readonly answers: { target: Target; answer: Answer }[] = [];
  async deliver(target: Target, answer: Answer) {
    this.answers.push({ target, answer });
  }
  // Progress and training notices are not what these tests look at.
  async showProgress() {
    /* not recorded */
  }
  async editNotice() {
    /* not recorded */
  }
  async postNoticeImage() {
    /* not recorded */
  }
}

/** A model store with two installed styles (the core only asks which styles are current). */
const storeWithStyles: ModelStore = {
  styles: async () => ['sketch', 'toon'],
  current: async () => 'v1',
  versions: async () => [],
  load: () => Promise.reject(new ModelStoreError('not in this test')),
  save: () => Promise.reject(new ModelStoreError('not in this test')),
  promote: () => Promise.reject(new ModelStoreError('not in this test')),
  rollback: () => Promise.reject(new ModelStoreError('not in this test')),
  updateMetrics: () => Promise.reject(new ModelStoreError('not in this test')),
  setInputMultiple: () => Promise.reject(new ModelStoreError('not in this test')),
  loadOnnx: () => Promise.reject(new ModelStoreError('not in this test')),
  saveOnnx: () => Promise.reject(new ModelStoreError('not in this test')),
};

describe('bot core: limits, cancel, forget, exactly-once answers (real Redis, no worker)', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let core: BotCore<Target, Target>;
  let adapter: RecordingAdapter;
  let translate: Queue;
  let photo: Buffer;
  const config = testConfig({ USER_MAX_PENDING: '2', USER_RATE_LIMIT: '3', USER_RATE_WINDOW_S: '60', QUEUE_CAP: '5' });
  let counter = 0;
  let downloads = 0;

  before(async () => {
    redis = await startTestRedis();
    adapter = new RecordingAdapter();
    core = new BotCore({ config, logger: quietLogger(config), redisUrl: redis.url, adapter, admins: ['1'], store: storeWithStyles });
    translate = new Queue(queueNames.translate, { connection: redisOptions(redis.url), prefix: config.QUEUE_PREFIX });
    photo = await makePhoto(32, 32, 'png');
  });
  after(async () => {
    await translate.close();
    await core.close();
    await redis.stop();
  });

  function image(declaredBytes?: number): IncomingImage {
    return {
      declaredBytes,
      download: async () => {
        downloads++;
        return photo;
      },
    };
  }

  /** Submits a request for `user`; returns its id. */
  async function submit(user: string, options: { requestId?: string; style?: string } = {}): Promise<string> {
    const requestId = options.requestId ?? `r-${++counter}`;
    const outcome = await core.intake.submit({
      requestId,
      userId: user,
      image: image(),
      style: options.style,
      announce: async () => ({ user, n: counter }),
    });
    assert.ok(outcome.submitted, `submitted ${requestId}`);
    return requestId;
  }

  async function refusal(user: string, declaredBytes?: number): Promise<UserErrorCode> {
    const before = downloads;
    const error = await core.intake.submit({ requestId: `r-${++counter}`, userId: user, image: image(declaredBytes), announce: async () => ({ user, n: 0 }) }).then(
      () => assert.fail('expected a refusal'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.equal(downloads, before, 'nothing was downloaded');
    return error.code;
  }

  it('refuses, before downloading: an unknown style, an oversized file, too many pending, over the rate, a full queue', async () => {
    await assert.rejects(submit('u0', { style: 'watercolour' }), (err: unknown) => err instanceof UserError && err.code === 'unknown_style');
    assert.equal(await refusal('u0', config.MAX_INPUT_BYTES + 1), 'file_too_large');

    await submit('u1');
    await submit('u1');
    assert.equal(await refusal('u1'), 'too_many_pending');

    // u2: three requests in the window are allowed, the fourth is not (cancelling frees pending slots, not the rate).
    await submit('u2');
    await submit('u2');
    assert.match(await core.requests.cancel('u2'), /^Cancelled/);
    await submit('u2');
    assert.match(await core.requests.cancel('u2'), /^Cancelled/);
    assert.equal(await refusal('u2'), 'rate_limited');

    // Waiting now: u1 ×2, u2 ×1; two more fill the cap of 5.
    await submit('u3');
    await submit('u3');
    assert.equal(await translate.getWaitingCount(), 5);
    assert.equal(await refusal('u4'), 'queue_busy');

    for (const user of ['u1', 'u1', 'u2', 'u3', 'u3']) assert.match(await core.requests.cancel(user), /^Cancelled/);
    assert.equal(await translate.getWaitingCount(), 0);
  });

  it('a request id submitted twice is queued once', async () => {
    const before = await translate.getWaitingCount();
    let announced = 0;
    const request = {
      requestId: 'same-message',
      userId: 'u5',
      image: image(),
      announce: async () => {
        announced++;
        return { user: 'u5', n: 0 };
      },
    };
    assert.deepEqual(await core.intake.submit(request), { submitted: true, requestId: 'same-message' });
    assert.deepEqual(await core.intake.submit(request), { submitted: false, reason: 'duplicate' });
    assert.equal(announced, 1);
    assert.equal(await translate.getWaitingCount(), before + 1);
  });

  it('/cancel removes the newest waiting request (translate and delivery jobs) and answers it exactly once', async () => {
    const older = `r-cancel-${++counter}`;
    const newer = `r-cancel-${++counter}`;
    await submit('u6', { requestId: older });
    await submit('u6', { requestId: newer });
    const answersBefore = adapter.answers.length;

    assert.equal(await core.requests.cancel('u6'), 'Cancelled your waiting request.');
    assert.equal(await translate.getJobState(newer), 'unknown', 'the translate job is gone');
    assert.equal(await translate.getJobState(older), 'waiting', 'the older request still waits');
    const deliver = new Queue(queueNames.deliver('cli'), { connection: redisOptions(redis.url), prefix: config.QUEUE_PREFIX });
    assert.equal(await deliver.getJobState(`deliver-${newer}`), 'unknown', 'the delivery job is gone');
    await deliver.close();
    const answers = adapter.answers.slice(answersBefore);
    assert.equal(answers.length, 1);
    assert.equal(answers[0]!.answer.kind === 'failure' && answers[0]!.answer.error.code, 'cancelled');
    assert.match(await core.requests.status('u6'), /Your requests:\n• Default style: Queued — position \d+/);

    assert.equal(await core.requests.cancel('u6'), 'Cancelled your waiting request.');
    assert.equal(await core.requests.cancel('u6'), 'You have no waiting request to cancel.');
    assert.equal(adapter.answers.length, answersBefore + 2);
  });

  it('/forget deletes settings, stored images and pending requests', async () => {
    await core.styles.set('u7', 'toon');
    const first = await submit('u7');
    const second = await submit('u7');
    const blobKeys = await redisKeys(`${config.QUEUE_PREFIX}:blob:*`);
    const answersBefore = adapter.answers.length;

    assert.equal(await core.requests.forget('u7'), 'Deleted your settings, 2 stored images, 2 pending requests (cancelled).');
    assert.equal(await translate.getJobState(first), 'unknown');
    assert.equal(await translate.getJobState(second), 'unknown');
    assert.equal(adapter.answers.length, answersBefore + 2, 'each withdrawn request was answered once');
    const remaining = new Set(await redisKeys(`${config.QUEUE_PREFIX}:blob:*`));
    assert.equal(blobKeys.length - remaining.size, 2, 'the two images are deleted');
    assert.deepEqual(await redisKeys(`${config.QUEUE_PREFIX}:bot:cli:user:u7:*`), [`${config.QUEUE_PREFIX}:bot:cli:user:u7:rate`], 'only the rate counter is left');
    assert.match(await core.styles.describe('u7'), /sketch — Pencil sketch \(default\)/, 'the default style applies again');
  });

  it('answer claims: one sender at a time, and a withdrawal cannot follow a send (nor a send a withdrawal)', async () => {
    const client = createRedis(redis.url);
    try {
      const claims = new AnswerClaims(client, 'claims-test', 'cli', 60);
      const first = await claims.claimForSending('a');
      assert.equal(first.kind, 'claimed');
      assert.equal((await claims.claimForSending('a')).kind, 'busy');
      assert.equal(await claims.withdraw('a'), false);
      await claims.release('a', first.token);
      const second = await claims.claimForSending('a');
      assert.equal(second.kind, 'claimed', 'a failed send can be retried');
      await claims.markSent('a');
      assert.equal((await claims.claimForSending('a')).kind, 'answered');

      assert.equal(await claims.withdraw('b'), true);
      assert.equal((await claims.claimForSending('b')).kind, 'answered');
    } finally {
      client.disconnect();
    }
  });

  async function redisKeys(pattern: string): Promise<string[]> {
    const client = createRedis(redis.url);
    try {
      return await client.keys(pattern);
    } finally {
      client.disconnect();
    }
  }
});

describe('failure answers: Retry only where the same request can succeed again (real Redis and delivery, a stand-in translate worker)', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let core: BotCore<Target, Target>;
  let adapter: RecordingAdapter;
  let worker: Worker;
  const config = testConfig({ JOB_ATTEMPTS: '2' });
  /** What the stand-in worker does with each request: fail as the real worker does for that cause. */
  const failures: Record<string, () => Error> = {
    'not-an-image': () => unrecoverable(UserError.notAnImage()),
    'unknown-style': () => unrecoverable(UserError.unknownStyle('watercolour', ['sketch', 'toon'])),
    malformed: () => unrecoverable(UserError.malformedRequest('outputSize: expected a number')),
    'timed-out': () => unrecoverable(UserError.timedOut(120)),
    // Not a UserError: BullMQ retries it, and after the last attempt the user is told something went wrong.
    crash: () => new Error('the worker crashed'),
  };

  before(async () => {
    redis = await startTestRedis();
    adapter = new RecordingAdapter();
    core = new BotCore({ config, logger: quietLogger(config), redisUrl: redis.url, adapter, admins: [], store: storeWithStyles });
    await core.start();
    worker = new Worker(
      queueNames.translate,
      async (job) => {
        const { requestId } = translateJobSchema.parse(job.data);
        throw (failures[requestId] ?? (() => new Error(`no failure for ${requestId}`)))();
      },
      { connection: redisOptions(redis.url), prefix: config.QUEUE_PREFIX },
    );
  });
  after(async () => {
    await worker.close();
    await core.close();
    await redis.stop();
  });

  async function failureFor(requestId: string): Promise<{ code: UserErrorCode; text: string; buttons: string[] }> {
    const outcome = await core.intake.submit({
      requestId,
      userId: `user-${requestId}`,
      image: { download: async () => makePhoto(32, 32, 'png') },
      announce: async () => ({ user: requestId, n: 0 }),
    });
    assert.ok(outcome.submitted, `submitted ${requestId}`);
    const { answer } = await waitFor(`the answer to ${requestId}`, () => adapter.answers.find((a) => a.target.user === requestId));
    assert.equal(answer.kind, 'failure');
    return { code: answer.error.code, text: answer.error.message, buttons: answer.buttons.map((b) => b.label) };
  }

  it('a request that is wrong in itself (not an image, unknown style, malformed) gets no Retry', async () => {
    assert.deepEqual(await failureFor('not-an-image'), { code: 'not_an_image', text: UserError.notAnImage().message, buttons: [] });
    assert.deepEqual((await failureFor('unknown-style')).buttons, []);
    assert.deepEqual(await failureFor('malformed'), {
      code: 'malformed_request',
      text: 'The request was malformed: outputSize: expected a number.',
      buttons: [],
    });
  });

  it('a timeout and a worker crash (after its retries) offer Retry', async () => {
    assert.deepEqual(await failureFor('timed-out'), { code: 'timed_out', text: UserError.timedOut(120).message, buttons: ['↻ Retry'] });
    assert.deepEqual(await failureFor('crash'), {
      code: 'internal',
      text: 'Something went wrong while processing your image. Please try again later.',
      buttons: ['↻ Retry'],
    });
  });
});
