import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Queue, QueueEvents } from 'bullmq';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { SCHEMA_VERSION, queueNames, trainProgressSchema, trainResultSchema, type TrainJob, type TrainProgress } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { buildManifest } from '../../trainer/data/manifest.js';
import { startTrainWorker, type TrainWorkerHandle } from '../../trainer/train-worker.js';
import { photoPixels } from '../helpers/images.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { runEntry } from '../helpers/run-list.js';

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
  for (const [split, count] of [
    ['train', 6],
    ['test', 2],
  ] as const) {
    for (const side of ['A', 'B']) await mkdir(path.join(dir, split, side), { recursive: true });
    for (let i = 0; i < count; i++) {
      const image = sharp(photoPixels(SIZE, SIZE), { raw: { width: SIZE, height: SIZE, channels: 3 } });
      await image
        .clone()
        .png()
        .toFile(path.join(dir, split, 'A', `${i}.png`));
      await image
        .clone()
        .negate()
        .png()
        .toFile(path.join(dir, split, 'B', `${i}.png`));
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
  assert.deepEqual(
    schedulers.map((s) => [s.key, s.pattern]),
    [['retrain-tiny', '0 3 * * 0']],
  );
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
  assert.deepEqual(
    progress.filter((p) => p.phase === 'training').map((p) => p.step),
    [1, 2, 3],
  );
  assert.equal(progress.at(-1)?.phase, 'done');
  assert.ok((await stat(result.summaryImage!)).size > 1000, 'the summary image exists');
});

/** `npm run cli -- <args>` against this test's Redis: its exit code and output. */
async function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    env: { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: config().QUEUE_PREFIX, LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

it('`cli runs` lists the running job and the schedule’s next run; `cli cancel` stops the job at its next step, keeps its checkpoint, and is refused for ended, scheduled and unknown runs', async () => {
  const added = await queue.add('train', job(500));
  await new Promise<void>((resolve) => {
    const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
      if (jobId !== added.id || (trainProgressSchema.parse(data).step ?? 0) < 2) return;
      events.off('progress', onProgress);
      resolve();
    };
    events.on('progress', onProgress);
  });
  const scheduled = (await queue.getJobs(['delayed'])).find((j) => j.repeatJobKey === 'retrain-tiny')!;
  const listed = await cli('runs');
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(runEntry(listed.stdout, added.id!)?.title, 'Training tiny on tiny, by test');
  assert.match(runEntry(listed.stdout, added.id!)?.state ?? listed.stdout, /^running \d+ % \(training, step \d+\/500\), started /);
  assert.equal(runEntry(listed.stdout, scheduled.id!)?.title, 'Training tiny, by the schedule');
  const next = (await queue.getJobScheduler('retrain-tiny'))?.next ?? 0;
  assert.equal(runEntry(listed.stdout, scheduled.id!)?.state, `due ${new Date(next).toISOString().slice(0, 16).replace('T', ' ')} UTC`, 'when the schedule runs next');

  const cancel = await cli('cancel', added.id!);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, new RegExp(`^Stopping ${added.id} \\(Training tiny on tiny\\): it stops after its current training step and keeps its checkpoint\\.`));
  await assert.rejects(added.waitUntilFinished(events, 120_000), /cancelled/);
  const state = JSON.parse(await readFile(path.join(config().RUNS_DIR, `tiny-${added.id}`, 'checkpoint', 'state.json'), 'utf8')) as { step: number };
  assert.ok(state.step >= 2 && state.step < 500, `checkpoint kept at step ${state.step}`);
  assert.equal((await queue.getJob(added.id!))?.attemptsMade, 1, 'a cancelled job is not retried');

  const after = await cli('runs');
  assert.equal(runEntry(after.stdout, added.id!)?.state.replace(/ — .*/, ''), `cancelled: stopped at step ${state.step}; the last checkpoint is kept`);
  const refusals = await Promise.all([cli('cancel', added.id!), cli('cancel', scheduled.id!), cli('cancel', 'no-such-run')]);
  assert.deepEqual(
    refusals.map((r) => [r.code, r.stderr.trim()]),
    [
      [2, `error: The run ${added.id} has already ended (cancelled); there is nothing to cancel.`],
      [2, `error: The run ${scheduled.id} is the next one of the retraining schedule for tiny; change TRAIN_SCHEDULE to stop it.`],
      [2, 'error: There is no training or evaluation run with the job id "no-such-run".'],
    ],
  );
  assert.equal(await queue.getJobState(scheduled.id!), 'delayed', 'the schedule’s next run stays');
});

it('stopping the trainer during a run (Ctrl-C on npm start) stops it after its current step and puts it back in the queue; the next trainer resumes its checkpoint', async () => {
  const added = await queue.add('train', job(500));
  const progressed = (minStep: number) =>
    new Promise<number>((resolve) => {
      const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
        const step = trainProgressSchema.parse(data).step ?? 0;
        if (jobId !== added.id || step < minStep) return;
        events.off('progress', onProgress);
        resolve(step);
      };
      events.on('progress', onProgress);
    });
  await progressed(2);
  const closingAt = Date.now();
  await trainer.close();
  const closeMs = Date.now() - closingAt;
  assert.equal(await queue.getJobState(added.id!), 'waiting', 'back in the queue, not failed');
  const { step } = JSON.parse(await readFile(path.join(config().RUNS_DIR, `tiny-${added.id}`, 'checkpoint', 'state.json'), 'utf8')) as { step: number };
  assert.ok(step >= 2 && step < 500, `checkpoint at step ${step}, ${closeMs} ms after close began`);

  trainer = await startTrainWorker({ config: config(), logger: quietLogger(config()), redisUrl: redis.url });
  const resumedAt = await progressed(1);
  assert.ok(resumedAt > step, `the next trainer went on from step ${step} (first progress at step ${resumedAt})`);
});
