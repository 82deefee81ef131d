import type { Queue } from 'bullmq';
import type { BlobStore } from '../../shared/blob/blob-store.js';
import { UserError } from '../../shared/errors.js';
import { translateProgressSchema } from '../../shared/queue/contracts.js';
import type { RedisPersistence } from '../../shared/queue/redis-persistence.js';
import type { HandledEvents } from './handled-events.js';
import { cancelText, forgetText, statusText, type PendingState } from './messages.js';
import type { PendingRequests } from './pending-requests.js';
import type { RequestRecords } from './request-records.js';
import type { RequestWithdrawal } from './request-withdrawal.js';
import type { UserSettings } from './user-settings.js';
import type { WaitEstimator } from './wait-estimate.js';

/** A user's own view of their requests: /status, /cancel and /forget. Each returns the text to answer with. */
export class UserRequests<T> {
  constructor(
    private readonly deps: {
      translateQueue: Queue;
      pending: PendingRequests;
      records: RequestRecords;
      settings: UserSettings;
      blobs: BlobStore;
      wait: WaitEstimator;
      withdrawal: RequestWithdrawal<T>;
      handledEvents: Pick<HandledEvents, 'forgetActionsOf'>;
      persistence: Pick<RedisPersistence, 'rewrite'>;
    },
  ) {}

  /** The user's requests in progress, and the queue. */
  async status(userId: string): Promise<string> {
    const { pending, records, translateQueue } = this.deps;
    const ids = await pending.list(userId);
    const requests = await Promise.all(ids.map(async (id) => ({ style: (await records.get(id))?.style, state: await this.stateOf(id) })));
    const [counts, workers] = await Promise.all([translateQueue.getJobCounts('waiting', 'active'), translateQueue.getWorkersCount().catch(() => 0)]);
    return statusText(requests, { waiting: counts.waiting ?? 0, active: counts.active ?? 0, workers });
  }

  /** Cancels the user's newest request that has not started. */
  async cancel(userId: string): Promise<string> {
    const { pending, withdrawal } = this.deps;
    const ids = (await pending.list(userId)).reverse();
    let started = false;
    for (const id of ids) {
      const removed = await withdrawal.removeIfWaiting(id);
      if (removed === 'started') started = true;
      if (removed !== 'removed') continue;
      await withdrawal.answerWithdrawn(id, UserError.cancelled());
      await pending.remove(userId, id);
      return cancelText('cancelled');
    }
    return cancelText(started ? 'running' : 'none');
  }

  /**
   * Deletes what the bot holds about the user: pending requests are withdrawn (those not
   * started are removed from the queue; results of the others are discarded), stored images
   * and request records deleted, the finished requests' jobs erased from the queues, settings
   * deleted, and Redis asked to rewrite its files so that none of it stays on disk. Only the
   * rate limit's counter stays until its window ends, so that /forget cannot be used to get
   * around the limit.
   */
  async forget(userId: string): Promise<string> {
    const { pending, records, settings, blobs, withdrawal, handledEvents, persistence } = this.deps;
    let cancelled = 0;
    for (const id of await pending.list(userId)) {
      await withdrawal.removeIfWaiting(id);
      if (await withdrawal.answerWithdrawn(id, UserError.forgotten())) cancelled++;
    }
    await pending.clear(userId);
    const forgotten = await records.deleteForUser(userId);
    const images = [...new Set(forgotten.map((r) => r.inputBlob))];
    await Promise.all(images.map((blob) => blobs.delete(blob)));
    await withdrawal.eraseFinished(forgotten.map((r) => r.requestId));
    await handledEvents.forgetActionsOf(userId);
    const hadSettings = await settings.delete(userId);
    await persistence.rewrite();
    return forgetText({ settings: hadSettings, images: images.length, cancelled });
  }

  private async stateOf(requestId: string): Promise<PendingState> {
    const job = await this.deps.translateQueue.getJob(requestId);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'active') {
      const progress = translateProgressSchema.safeParse(job?.progress);
      return { state: 'running', progress: progress.success ? progress.data : undefined };
    }
    if (state === 'completed' || state === 'failed' || state === 'unknown') return { state: 'finishing' };
    const estimate = await this.deps.wait.forJob(requestId);
    return estimate ? { state: 'waiting', estimate } : { state: 'running', progress: undefined };
  }
}
