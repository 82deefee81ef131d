import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { SCHEMA_VERSION, queueNames, trainProgressSchema, trainResultSchema, type TrainJob, type TrainProgress } from '../../shared/queue/contracts.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TrainControl } from '../../shared/queue/train-control.js';
import { buildManifest } from '../../trainer/data/manifest.js';
import { startTrainWorker, type TrainWorkerHandle } from '../../trainer/train-worker.js';
import { photoPixels } from '../helpers/images.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';

const SIZE = 32;
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let trainer: TrainWorkerHandle;
let queue: Queue;
let events: QueueEvents;
let root: string;
const config = () =>
  testConfig({ TF_BACKEND: 'wasm', DATA_DIR: path.join(root, 'data'), RUNS_DIR: path.join(root, 'runs'), MODELS_DIR: path.join(root, 'models'), TRAIN_SCHEDULE: 'tiny=0 3 * * 0' });

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'animebot-trainq-'));
  const dir = path.join(root, 'data', 'tiny');
  for (const [split, count] of [['train', 6], ['test', 2]] as const) {
    for (const side of ['A', 'B']) await mkdir(path.join(dir, split, side), { recursive: true });
    for (let i = 0; i < count; i++) {
      const image = sharp(photoPixels(SIZE, SIZE), { raw: { width: SIZE, height: SIZE, channels: 3 } });
      await image.clone().png().toFile(path.join(dir, split, 'A', `${i}.png`));
      await image.clone().negate().png().toFile(path.join(dir, split, 'B', `${i}.png`));
    }
  }
  await buildManifest(dir);
  redis = await startTestRedis();
  trainer = await startTrainWorker({ config: config(), logger: quietLogger(config()), redisUrl: redis.url });
  queue = new Queue(queueNames.train, { connection: redisOptions(redis.url), prefix: config().QUEUE_PREFIX });
  events = new QueueEvents(queueNames.train, { connection: redisOptions(redis.url), prefix: config().QUEUE_PREFIX });
  await events.waitUntilReady();
});

after(async () => {
  await events.close();
  await queue.close();
  await trainer.close();
  await redis.stop();
  await tf.setBackend('cpu');
});

function job(maxSteps: number): TrainJob {
  return {
    v: SCHEMA_VERSION,
    kind: 'train',
    style: 'tiny',
    architecture: 'pix2pix',
    dataset: 'tiny',
    options: { crop_size: SIZE, load_size: SIZE, max_steps: maxSteps, log_every: 1, checkpoint_every: 1, batch_size: 2, 'arch.netG': 'unet_32' },
    requestedBy: 'test',
    enqueuedAt: Date.now(),
  };
}

it('the retraining schedule from TRAIN_SCHEDULE is installed as a job scheduler', async () => {
  const schedulers = await queue.getJobSchedulers();
  assert.deepEqual(schedulers.map((s) => [s.key, s.pattern]), [['retrain-tiny', '0 3 * * 0']]);
});

it('a train job reports progress through the queue, promotes its model and returns the result', async () => {
  const progress: TrainProgress[] = [];
  const added = await queue.add('train', job(3));
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === added.id) progress.push(trainProgressSchema.parse(data));
  };
  events.on('progress', onProgress);
  const result = trainResultSchema.parse(await added.waitUntilFinished(events, 120_000));
  events.off('progress', onProgress);
  assert.equal(result.promoted, true);
  assert.equal(await new DirectoryModelStore(config().MODELS_DIR).current('tiny'), result.version);
  assert.deepEqual(progress.filter((p) => p.phase === 'training').map((p) => p.step), [1, 2, 3]);
  assert.equal(progress.at(-1)?.phase, 'done');
  assert.ok((await stat(result.summaryImage!)).size > 1000, 'the summary image exists');
});

it('a cancelled train job stops at the next step and keeps its checkpoint', async () => {
  const client = createRedis(redis.url);
  const control = new TrainControl(client, config().QUEUE_PREFIX);
  const added = await queue.add('train', job(500));
  let cancelled = false;
  events.on('progress', ({ jobId, data }) => {
    const p = trainProgressSchema.parse(data);
    if (jobId === added.id && p.step === 2 && !cancelled) {
      cancelled = true;
      void control.requestCancel(added.id!);
    }
  });
  await assert.rejects(added.waitUntilFinished(events, 120_000), /cancelled/);
  const state = JSON.parse(await readFile(path.join(config().RUNS_DIR, `tiny-${added.id}`, 'checkpoint', 'state.json'), 'utf8')) as { step: number };
  assert.ok(state.step >= 2 && state.step < 500, `checkpoint kept at step ${state.step}`);
  assert.equal((await queue.getJob(added.id!))?.attemptsMade, 1, 'a cancelled job is not retried');
  client.disconnect();
});
