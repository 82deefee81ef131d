import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { recordInputMultiples } from '../gan/save-generator.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { ModelAnnouncer } from '../shared/models/model-announcer.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { SCHEMA_VERSION, queueNames, trainJobSchema, type TrainJob, type TrainResult } from '../shared/queue/contracts.js';
import { unrecoverable } from '../shared/queue/queues.js';
import { createRedis, redisOptions, routeRedisErrors } from '../shared/queue/redis.js';
import { TrainControl } from '../shared/queue/train-control.js';
import { TrainerHeartbeat } from '../shared/queue/trainer-heartbeat.js';
import { initTf } from '../shared/tf/runtime.js';
import './tf/register-training-kernels.js';
import { startCurationWorker } from './curation-worker.js';
import { checkFeatureWeights, FeatureWeightsError } from './feature-networks.js';
import { runTrainingJob, UnknownStyleProfileError } from './run-training-job.js';
import { TrainingCancelled } from './training/cancelled.js';
import { trainOptionsFromFlat } from './training/train-options.js';

export interface TrainWorkerHandle {
  worker: Worker;
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Trainer process: works the `train` queue one job at a time, reports progress, honours
 * cancellation, carries out admins' additions to datasets (the `curate` queue: beside a run,
 * not hours behind it), and keeps the periodic retraining schedules (BullMQ job schedulers)
 * in line with TRAIN_SCHEDULE. A job retried after a crash resumes its run's checkpoint; so does one
 * that `close` stopped (after its current step) and put back in the queue.
 */
export async function startTrainWorker(options: { config: Config; logger: Logger; redisUrl: string; store?: ModelStore }): Promise<TrainWorkerHandle> {
  const { config, logger, redisUrl } = options;
  await initTf(config, logger);
  // A weights setting that points nowhere fails the start, not every job later.
  await checkFeatureWeights(config);
  const redis = createRedis(redisUrl);
  const store = options.store ?? new DirectoryModelStore(config.MODELS_DIR);
  const updated = await recordInputMultiples(store);
  if (updated.length) logger.info({ versions: updated }, `recorded how the worker may serve ${updated.length} version(s) saved before inputMultiple`);
  const control = new TrainControl(redis, config.QUEUE_PREFIX);
  const announcer = new ModelAnnouncer(redis, config.QUEUE_PREFIX);
  const queue = routeRedisErrors(new Queue(queueNames.train, { connection: redisOptions(redisUrl), prefix: config.QUEUE_PREFIX }));
  await syncSchedules(queue, config.TRAIN_SCHEDULE, logger);
  let closing = false;

  const worker = new Worker<unknown, TrainResult>(
    queueNames.train,
    async (job, token) => {
      const parsed = trainJobSchema.safeParse(job.data);
      if (!parsed.success) throw unrecoverable(new UserError('malformed_request', `malformed training job: ${parsed.error.issues[0]?.message}`));
      const data = parsed.data;
      const log = logger.child({ jobId: job.id, style: data.style, kind: data.kind });
      log.info('training job started');
      try {
        return await runTrainingJob({
          kind: data.kind,
          style: data.style,
          ...(data.architecture ? { architecture: data.architecture } : {}),
          ...(data.dataset ? { dataset: data.dataset } : {}),
          options: trainOptionsFromFlat(data.options),
          runId: `${data.style}-${job.id}`,
          dataDir: config.DATA_DIR,
          runsDir: config.RUNS_DIR,
          store,
          logger: log,
          featureWeights: config,
          onPromoted: (style, version) => announcer.announce({ style, version }),
          onProgress: async (p) => {
            await job.updateProgress(p);
            if (p.step) log.info({ step: p.step, totalSteps: p.totalSteps, percent: Math.round(p.percent) }, `training ${Math.round(p.percent)}%`);
          },
          shouldStop: async () => closing || (await control.cancelRequested(job.id!)),
        });
      } catch (err) {
        if (err instanceof TrainingCancelled && closing) {
          log.info({ step: err.step }, `training stopped at step ${err.step} for shutdown; the run resumes from its checkpoint at the next start`);
          await job.moveToWait(token);
          throw new WaitingError();
        }
        if (err instanceof TrainingCancelled) throw unrecoverable(new UserError('cancelled', err.message, { cause: err }));
        if (err instanceof UnknownStyleProfileError) throw unrecoverable(new UserError('bad_command', err.message, { cause: err }));
        if (err instanceof FeatureWeightsError) throw Object.assign(new UnrecoverableError(err.message), { cause: err });
        throw err;
      } finally {
        await control.clear(job.id!);
      }
    },
    // Training steps hold the event loop for seconds; a long lock keeps the job ours.
    { connection: redisOptions(redisUrl), prefix: config.QUEUE_PREFIX, concurrency: 1, lockDuration: 10 * 60_000, maxStalledCount: 3 },
  );
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, reason: err.message }, 'training job failed'));
  routeRedisErrors(worker, (err) => logger.error({ err }, 'trainer error'));
  await worker.waitUntilReady();
  const curation = await startCurationWorker({ config, logger, redisUrl });
  // Tells admins' /retrain and /curate that something takes the jobs they queue.
  const stopHeartbeat = await new TrainerHeartbeat(redis, config.QUEUE_PREFIX).start(`${hostname()}:${process.pid}:${randomUUID()}`);
  logger.info('trainer ready: working the train queue');
  return {
    worker,
    queue,
    async close() {
      // A run takes hours: it stops after its current step and waits in the queue, not the shutdown for it.
      closing = true;
      await stopHeartbeat();
      await Promise.all([worker.close(), curation.close()]);
      await queue.close();
      redis.disconnect();
    },
  };
}

/** Makes the queue's job schedulers equal to TRAIN_SCHEDULE (adds, updates, removes). */
async function syncSchedules(queue: Queue, schedule: string[], logger: Logger): Promise<void> {
  const wanted = new Map<string, { style: string; cron: string }>();
  for (const entry of schedule) {
    const split = entry.indexOf('=');
    wanted.set(`retrain-${entry.slice(0, split)}`, { style: entry.slice(0, split), cron: entry.slice(split + 1) });
  }
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key.startsWith('retrain-') && !wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
  for (const [key, { style, cron }] of wanted) {
    const data: TrainJob = { v: SCHEMA_VERSION, kind: 'train', style, options: {}, requestedBy: 'schedule', enqueuedAt: Date.now() };
    await queue.upsertJobScheduler(key, { pattern: cron }, { name: 'train', data });
    logger.info({ style, cron }, `retraining ${style} on schedule "${cron}"`);
  }
}
