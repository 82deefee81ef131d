import { Worker } from 'bullmq';
import { RedisBlobStore } from '../shared/blob/redis-blob-store.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import { startHealthServer, type HealthServer } from '../shared/http/health-server.js';
import type { Logger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { ModelAnnouncer } from '../shared/models/model-announcer.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { queueNames, type TranslateResult } from '../shared/queue/contracts.js';
import { translateQueue } from '../shared/queue/queues.js';
import { createRedis, redisOptions, routeRedisErrors } from '../shared/queue/redis.js';
import { initTf, type TfRuntime } from '../shared/tf/runtime.js';
import { ModelCache, servingOptions } from './model-cache.js';
import { PredictBatcher } from './predict-batcher.js';
import { processTranslateJob } from './translate-processor.js';
import { WorkerMetrics } from './worker-metrics.js';

export interface TranslateWorkerHandle {
  worker: Worker;
  runtime: TfRuntime;
  models: ModelCache;
  metrics: WorkerMetrics;
  health?: HealthServer | undefined;
  /** Stops taking jobs, finishes the ones in flight, closes connections. */
  close(): Promise<void>;
}

export interface TranslateWorkerOptions {
  config: Config;
  logger: Logger;
  redisUrl: string;
  store?: ModelStore;
  /** Port for /healthz and /metrics; false serves none (tests, inline CLI). */
  healthPort?: number | false;
}

export async function startTranslateWorker({ config, logger, redisUrl, store, healthPort }: TranslateWorkerOptions): Promise<TranslateWorkerHandle> {
  const runtime = await initTf(config, logger);
  const redis = createRedis(redisUrl);
  const queue = routeRedisErrors(translateQueue(redisOptions(redisUrl), config));
  const metrics = new WorkerMetrics(queue, runtime.backend);
  const modelStore = store ?? new DirectoryModelStore(config.MODELS_DIR);
  const models = new ModelCache(modelStore, logger, servingOptions(config, runtime), {
    onLoaded: ({ meta, runtime: served }, s) => metrics.modelLoaded(meta.style, meta.version, served, s),
  });
  const blobs = new RedisBlobStore(redis, config.QUEUE_PREFIX, config.BLOB_TTL_S);
  const batcher = new PredictBatcher({
    maxBatch: config.WORKER_MAX_BATCH,
    waitMs: config.WORKER_BATCH_WAIT_MS,
    logger,
    onBatch: (images) => metrics.batchPredicted(images),
  });
  // A batch gathers the images of jobs active at once in this process, so take at least that many.
  const concurrency = Math.max(config.WORKER_CONCURRENCY, config.WORKER_MAX_BATCH);
  const unsubscribe = await new ModelAnnouncer(redis, config.QUEUE_PREFIX).subscribe(({ style, version }) => {
    logger.info({ style, version }, 'model promotion announced; reloading');
    models.refresh(style).catch((err: Error) => logger.error({ err, style }, 'reload after announcement failed'));
  });

  const worker = new Worker<unknown, TranslateResult>(queueNames.translate, (job) => processTranslateJob(job, { settings: config, blobs, models, batcher }), {
    connection: redisOptions(redisUrl),
    prefix: config.QUEUE_PREFIX,
    concurrency,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.STALLED_INTERVAL_MS,
    maxStalledCount: 2,
  });
  worker.on('completed', (job, result) => {
    metrics.jobCompleted(result.style, result.timings);
    logger.info({ jobId: job.id, style: result.style, ms: Math.round(result.timings.totalMs), inferenceMs: Math.round(result.timings.inferenceMs) }, 'translate job done');
  });
  worker.on('failed', (job, err) => {
    const userError = UserError.fromFailedReason(err.message);
    metrics.jobFailed(userError?.code ?? 'internal');
    const log = userError ? logger.info.bind(logger) : logger.error.bind(logger);
    log({ jobId: job?.id, attempt: job?.attemptsMade, reason: err.message }, 'translate job failed');
  });
  routeRedisErrors(worker, (err) => logger.error({ err }, 'worker error'));
  await worker.waitUntilReady();

  const health =
    healthPort === false
      ? undefined
      : await startHealthServer({
          port: healthPort ?? config.HEALTH_PORT,
          portSetting: 'HEALTH_PORT',
          registry: metrics.registry,
          healthy: async () => {
            const redisOk = await redis.ping().then(
              () => true,
              () => false,
            );
            return { ok: redisOk && worker.isRunning(), details: { redis: redisOk, running: worker.isRunning(), backend: runtime.description } };
          },
        });
  logger.info({ concurrency, maxBatch: config.WORKER_MAX_BATCH, batchWaitMs: config.WORKER_BATCH_WAIT_MS, backend: runtime.description, healthPort: health?.port }, 'translate worker ready');

  return {
    worker,
    runtime,
    models,
    metrics,
    health,
    async close() {
      await worker.close();
      await unsubscribe();
      await health?.close();
      await queue.close();
      models.dispose();
      redis.disconnect();
    },
  };
}
