import type { Job, Queue, QueueEvents } from 'bullmq';
import type { BlobStore } from '../../shared/blob/blob-store.js';
import { UserError } from '../../shared/errors.js';
import type { ImageLimits } from '../../shared/image/codec.js';
import { SCHEMA_VERSION, curateJobSchema, curateResultSchema, datasetName, type CurateJob, type Platform } from '../../shared/queue/contracts.js';
import type { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import type { AdminActions } from './admin-actions.js';
import { receiveImage, type IncomingImage } from './image-intake.js';
import { curatedText } from './messages.js';
import type { RequestRecords } from './request-records.js';

/** How long an admin waits for the trainer's answer (its event loop may be busy with a training step). */
const curationTimeoutMs = 120_000;

export type CurationItem =
  /** One image into domain A (photos) or B (styled images) of an unaligned dataset. */
  | { kind: 'sample'; domain: 'A' | 'B'; image: IncomingImage }
  /** A request's photo (A) and its styled result (B), as a pair of a paired dataset. */
  | { kind: 'pair'; requestId: string; result: IncomingImage };

/**
 * Admins add what users sent (or what the bot made of it) to training datasets. The datasets
 * are the trainer's (DATA_DIR on its machine): the bot checks and downloads the images, stores
 * them as blobs and queues a `curate` job, which a trainer carries out
 * (trainer/curation-worker.ts); the admin gets its answer, or the dataset's objection.
 */
export class Curation {
  constructor(
    private readonly deps: {
      platform: Platform;
      admin: Pick<AdminActions<never>, 'assertAdmin'>;
      records: RequestRecords;
      blobs: BlobStore;
      queue: Queue;
      events: QueueEvents;
      trainer: Pick<TrainerHeartbeat, 'anyAlive'>;
      imageLimits: ImageLimits;
    },
  ) {}

  async add(userId: string, dataset: string, item: CurationItem): Promise<string> {
    const { admin, blobs, imageLimits } = this.deps;
    admin.assertAdmin(userId);
    const name = datasetName.safeParse(dataset);
    if (!name.success) throw new UserError('bad_command', `"${dataset}" is not ${name.error.issues[0]?.message ?? 'a dataset name'}.`);
    if (!(await this.deps.trainer.anyAlive())) throw UserError.noTrainer();
    // Blobs made here are the bot's to delete; a request's photo stays with its request.
    const made: string[] = [];
    const blobOf = async (image: IncomingImage) => {
      const key = await blobs.put(await receiveImage(image, imageLimits));
      made.push(key);
      return key;
    };
    try {
      const job: CurateJob = curateJobSchema.parse({
        v: SCHEMA_VERSION,
        dataset: name.data,
        item:
          item.kind === 'pair'
            ? { kind: 'pair', aBlob: await this.inputBlobOf(item.requestId), bBlob: await blobOf(item.result) }
            : { kind: 'sample', domain: item.domain, imageBlob: await blobOf(item.image) },
        requestedBy: `${this.deps.platform}:${userId}`,
        enqueuedAt: Date.now(),
      });
      const queued = await this.deps.queue.add('curate', job, { removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } });
      const result = curateResultSchema.parse(await this.finished(queued));
      return curatedText(result.dataset, result.files);
    } finally {
      await Promise.all(made.map((key) => blobs.delete(key)));
    }
  }

  /** The blob of the photo a request was made with, while it is kept. */
  private async inputBlobOf(requestId: string): Promise<string> {
    const record = await this.deps.records.get(requestId);
    if (!record || !(await this.deps.blobs.get(record.inputBlob))) throw UserError.inputExpired();
    return record.inputBlob;
  }

  /** The job's result; its UserError when the trainer refused it; a timed_out UserError when no answer came in time. */
  private async finished(job: Job): Promise<unknown> {
    try {
      return await job.waitUntilFinished(this.deps.events, curationTimeoutMs);
    } catch (err) {
      const refused = UserError.fromFailedReason(err instanceof Error ? err.message : undefined, err);
      if (refused) throw refused;
      if ((await job.getState()) === 'waiting') {
        // Nothing took it: it must not add the images later, unseen.
        await job.remove();
        throw UserError.timedOut(curationTimeoutMs / 1000);
      }
      throw err;
    }
  }
}
