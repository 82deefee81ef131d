import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { UserError } from '../../shared/errors.js';
import type { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { translateProgressSchema } from '../../shared/queue/contracts.js';
import { makePhoto, truncatedJpeg } from '../helpers/images.js';
import { testConfig, testProducer, testWorker } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { tinyModelStore } from '../helpers/tiny-model.js';

interface Request {
  bytes: Buffer;
  style: string;
  /** The UserError code the job must fail with; it succeeds when unset. */
  refusal?: UserError['code'];
}

type Outcome = { ok: true; pixels: Buffer; width: number; height: number; stages: string[] } | { ok: false; error: UserError; attempts: number; stages: string[] };

/** A worker with some settings and a producer on the test Redis. */
interface Session {
  /** Submits all requests at once and waits for every one. */
  burst(requests: readonly Request[]): Promise<Outcome[]>;
  /** The worker's Prometheus /metrics text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

const allStages = ['decoding', 'loading-model', 'running', 'encoding', 'done'];

/** Images of distinct aspect ratios, so that every job's letterbox (and output size) differs. */
const photoSizes: [number, number][] = [
  [64, 48],
  [40, 40],
  [96, 32],
  [30, 70],
  [80, 50],
  [50, 90],
];

describe('dynamic batching in the translate worker', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let store: DirectoryModelStore;
  let sketches: Request[];
  let requests: Request[];

  before(async () => {
    await tf.setBackend('cpu');
    redis = await startTestRedis();
    ({ store } = await tinyModelStore(['sketch', 'toon'], 64));
    sketches = await Promise.all(photoSizes.map(async ([w, h]) => ({ bytes: await makePhoto(w, h), style: 'sketch' })));
    // Six sketch jobs (a batch of 4 and one of 2 at most), two toon jobs in between (another model: never in a sketch batch), one damaged upload.
    requests = [
      ...sketches.slice(0, 3),
      { bytes: await makePhoto(48, 64), style: 'toon' },
      { bytes: await truncatedJpeg(), style: 'sketch', refusal: 'corrupt_image' },
      ...sketches.slice(3),
      { bytes: await makePhoto(70, 40), style: 'toon' },
    ];
  });

  after(async () => {
    await redis.stop();
  });

  async function startSession(env: Record<string, string>): Promise<Session> {
    const config = testConfig(env);
    const worker = await testWorker(redis.url, config, store, 0);
    const producer = await testProducer(redis.url, config);
    const stages = new Map<string, string[]>();
    producer.events.on('progress', ({ jobId, data }) => {
      const parsed = translateProgressSchema.safeParse(data);
      if (parsed.success) stages.set(jobId, [...(stages.get(jobId) ?? []), parsed.data.stage]);
    });
    const outcome = async (id: string): Promise<Outcome> => {
      try {
        const result = await producer.client.wait(id, undefined, 60_000);
        const { data, info } = await sharp(await producer.client.takeOutput(result))
          .raw()
          .toBuffer({ resolveWithObject: true });
        return { ok: true, pixels: data, width: info.width, height: info.height, stages: stages.get(id) ?? [] };
      } catch (error) {
        assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
        const attempts = (await producer.queue.getJob(id))?.attemptsMade ?? -1;
        return { ok: false, error, attempts, stages: stages.get(id) ?? [] };
      }
    };
    return {
      async burst(batch) {
        const ids = await Promise.all(batch.map(({ bytes, style }) => producer.client.submit(bytes, { platform: 'cli', style })));
        return Promise.all(ids.map(outcome));
      },
      async metrics() {
        return (await fetch(`http://127.0.0.1:${worker.health!.port}/metrics`)).text();
      },
      async close() {
        await producer.close();
        await worker.close();
      },
    };
  }

  async function burstOnce(env: Record<string, string>): Promise<{ outcomes: Outcome[]; metrics: string }> {
    const session = await startSession(env);
    try {
      const outcomes = await session.burst(requests);
      return { outcomes, metrics: await session.metrics() };
    } finally {
      await session.close();
    }
  }

  function batchSizes(metrics: string): { predicts: number; singles: number; images: number } {
    const read = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
    return {
      predicts: read(/^animebot_predict_batch_images_count (\d+)$/m),
      singles: read(/^animebot_predict_batch_images_bucket\{le="1"\} (\d+)$/m),
      images: read(/^animebot_predict_batch_images_sum (\d+)$/m),
    };
  }

  it('predicts jobs that arrive together in batches, with the same pixels as one by one; each job keeps its own progress and errors', async () => {
    const unbatched = await burstOnce({ WORKER_MAX_BATCH: '1' });
    // A long wait, so that on a busy machine a batch still gathers the jobs that arrive together.
    const batched = await burstOnce({ WORKER_MAX_BATCH: '4', WORKER_BATCH_WAIT_MS: '500' });

    const off = batchSizes(unbatched.metrics);
    assert.equal(off.images, 8, 'eight images were predicted');
    assert.equal(off.singles, off.predicts, 'with WORKER_MAX_BATCH=1 every predict took one image');
    const on = batchSizes(batched.metrics);
    assert.equal(on.images, 8, 'eight images were predicted, the damaged upload not among them');
    assert.ok(on.singles < on.predicts, `some predict took more than one image (${on.predicts} predicts for ${on.images} images)`);

    for (const [index, request] of requests.entries()) {
      const [expected, actual] = [unbatched.outcomes[index]!, batched.outcomes[index]!];
      if (request.refusal) {
        assert.ok(!actual.ok && !expected.ok, 'the damaged upload fails');
        assert.equal(actual.error.code, request.refusal);
        assert.equal(actual.attempts, 1, 'and is not retried');
        assert.deepEqual(actual.stages, ['decoding']);
        continue;
      }
      assert.ok(expected.ok && actual.ok, `job ${index} (${request.style}) succeeds`);
      assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `job ${index}: size`);
      let maxDiff = 0;
      for (let i = 0; i < expected.pixels.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected.pixels[i]! - actual.pixels[i]!));
      assert.ok(maxDiff <= 1, `job ${index}: batched pixels differ from unbatched ones by up to ${maxDiff}/255`);
      assert.deepEqual(actual.stages, allStages, `job ${index} reports each of its stages`);
    }
  });

  it('keeps the tensor count flat over many batched jobs', async () => {
    const session = await startSession({ WORKER_MAX_BATCH: '4', WORKER_BATCH_WAIT_MS: '100' });
    try {
      await session.burst(sketches);
      const afterWarmUp = tf.memory().numTensors;
      for (let round = 0; round < 5; round++) await session.burst(sketches);
      const { singles, predicts } = batchSizes(await session.metrics());
      assert.ok(singles < predicts, 'batches of more than one image ran');
      assert.equal(tf.memory().numTensors, afterWarmUp);
    } finally {
      await session.close();
    }
  });
});
