import { randomUUID } from 'node:crypto';
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BlobStore } from '../blob/blob-store.js';
import { UserError } from '../errors.js';
import { SCHEMA_VERSION, translateProgressSchema, translateResultSchema, type TranslateJob, type TranslateProgress, type TranslateResult } from './contracts.js';
import { queuePosition } from './queue-position.js';

export type JobState = { state: 'queued'; position: number | undefined } | { state: 'running'; progress: TranslateProgress } | { state: 'done'; result: TranslateResult };

/**
 * Submits a translate job and waits for it, reporting state changes. For callers that wait
 * in-process (the CLI, benchmarks); the bots use durable flows (translation-requests.ts).
 */
export class TranslateClient {
  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly blobs: BlobStore,
    private readonly blobTtlSeconds: number,
  ) {}

  async submit(image: Buffer, options: Pick<TranslateJob, 'platform'> & Partial<Pick<TranslateJob, 'style' | 'outputSize' | 'outputFormat' | 'userId'>>): Promise<string> {
    const inputBlob = await this.blobs.put(image, this.blobTtlSeconds);
    const requestId = randomUUID();
    const data: TranslateJob = { outputFormat: 'png', ...options, v: SCHEMA_VERSION, requestId, inputBlob, enqueuedAt: Date.now() };
    await this.queue.add('translate', data, { jobId: requestId });
    return requestId;
  }

  /**
   * Waits until the job finishes. Resolves with the result; rejects with a UserError when the
   * job failed for good. `onState` sees queued (with position) → running → done.
   */
  async wait(jobId: string, onState: (s: JobState) => void = () => {}, timeoutMs = 10 * 60_000): Promise<TranslateResult> {
    const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => {
      const parsed = translateProgressSchema.safeParse(data);
      if (id === jobId && parsed.success) onState({ state: 'running', progress: parsed.data });
    };
    this.events.on('progress', onProgress);
    let lastPosition: number | undefined | null = null;
    const poll = setInterval(() => {
      void this.reportPosition(jobId, lastPosition).then((p) => {
        if (p !== null) {
          lastPosition = p;
          onState({ state: 'queued', position: p });
        }
      });
    }, 500);
    try {
      const first = await this.reportPosition(jobId, lastPosition);
      if (first !== null) {
        lastPosition = first;
        onState({ state: 'queued', position: first });
      }
      const job = await this.queue.getJob(jobId);
      if (!job) throw new Error(`job ${jobId} not found`);
      const value: unknown = await job.waitUntilFinished(this.events, timeoutMs).catch((err: Error) => {
        throw UserError.fromFailedReason(err.message, err) ?? err;
      });
      const result = translateResultSchema.parse(value);
      onState({ state: 'done', result });
      return result;
    } finally {
      clearInterval(poll);
      this.events.off('progress', onProgress);
    }
  }

  /** The output bytes of a finished job; the blob is deleted once read. */
  async takeOutput(result: TranslateResult): Promise<Buffer> {
    const bytes = await this.blobs.get(result.outputBlob);
    if (!bytes) throw new Error('the result expired before it was read');
    await this.blobs.delete(result.outputBlob);
    return bytes;
  }

  /** The job's position if it is waiting and changed since `last`; null when nothing new. */
  private async reportPosition(jobId: string, last: number | undefined | null): Promise<number | undefined | null> {
    const position = await queuePosition(this.redis, this.queue, jobId);
    if (position === undefined || position === last) return null;
    return position;
  }
}
