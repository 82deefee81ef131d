import path from 'node:path';
import { Worker } from 'bullmq';
import { RedisBlobStore } from '../shared/blob/redis-blob-store.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { SCHEMA_VERSION, curateJobSchema, queueNames, type CurateJob, type CurateResult } from '../shared/queue/contracts.js';
import { unrecoverable } from '../shared/queue/queues.js';
import { createRedis, redisOptions, routeRedisErrors } from '../shared/queue/redis.js';
import { addPair, addSample } from './data/curate.js';
import { DatasetError } from './data/dataset-error.js';

export interface CurationWorkerHandle {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The trainer's side of admins' /curate: works the `curate` queue, adding each job's images
 * to its dataset under DATA_DIR through the curation functions (which validate the images and
 * keep the manifest consistent). A dataset's problem (duplicate, wrong layout, too small) fails
 * the job with a UserError whose message names the dataset, not the trainer's directory.
 */
export async function startCurationWorker(options: { config: Pick<Config, 'DATA_DIR' | 'QUEUE_PREFIX' | 'BLOB_TTL_S'>; logger: Logger; redisUrl: string }): Promise<CurationWorkerHandle> {
  const { config, logger, redisUrl } = options;
  const redis = createRedis(redisUrl);
  const blobs = new RedisBlobStore(redis, config.QUEUE_PREFIX, config.BLOB_TTL_S);

  const image = async (key: string): Promise<Uint8Array> => {
    const bytes = await blobs.get(key);
    if (!bytes) throw unrecoverable(UserError.inputExpired());
    return new Uint8Array(bytes);
  };

  async function curate({ dataset, item }: CurateJob): Promise<CurateResult> {
    const dir = path.join(config.DATA_DIR, dataset);
    try {
      const { files } =
        item.kind === 'pair'
          ? await addPair(dir, { a: await image(item.aBlob), b: await image(item.bBlob) })
          : await addSample(dir, { domain: item.domain, image: await image(item.imageBlob) });
      return { v: SCHEMA_VERSION, dataset, files };
    } catch (err) {
      if (err instanceof DatasetError) throw unrecoverable(new UserError('bad_command', err.message.replaceAll(dir, dataset), { cause: err }));
      throw err;
    }
  }

  const worker = new Worker<unknown, CurateResult>(
    queueNames.curate,
    async (job) => {
      const parsed = curateJobSchema.safeParse(job.data);
      if (!parsed.success) throw unrecoverable(UserError.malformedRequest(`a curation job: ${parsed.error.issues[0]?.message ?? 'invalid'}`));
      const result = await curate(parsed.data);
      logger.info({ jobId: job.id, dataset: result.dataset, files: result.files, requestedBy: parsed.data.requestedBy }, 'curated');
      return result;
    },
    // It shares the process with training steps that hold the event loop for seconds; a long lock keeps the job ours.
    { connection: redisOptions(redisUrl), prefix: config.QUEUE_PREFIX, concurrency: 1, lockDuration: 10 * 60_000 },
  );
  worker.on('failed', (job, err) => logger.warn({ jobId: job?.id, reason: err.message }, 'curation job failed'));
  routeRedisErrors(worker, (err) => logger.error({ err }, 'curation worker error'));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      redis.disconnect();
    },
  };
}
