import type { Queue } from 'bullmq';
import type { z } from 'zod';
import type { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AnswerClaims } from './answer-claims.js';
import { failureAnswer } from './answers.js';
import { deliveryJobId } from './delivery-worker.js';
import type { PlatformAdapter } from './platform-adapter.js';
import type { RequestRecords } from './request-records.js';

/** Translate job states in which no worker holds the job. */
const notStarted: ReadonlySet<string> = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Taking back a request (/cancel, /forget): its flow is removed while no worker holds it,
 * and its one answer becomes "cancelled", claimed like any other answer so that a delivery
 * racing the withdrawal cannot answer too.
 */
export class RequestWithdrawal<T> {
  constructor(
    private readonly deps: {
      translateQueue: Queue;
      deliverQueue: Queue;
      claims: AnswerClaims;
      records: RequestRecords;
      adapter: Pick<PlatformAdapter<T, unknown>, 'deliver'>;
      targetSchema: z.ZodType<T>;
      logger: Logger;
    },
  ) {}

  /**
   * Removes the request's flow if its translation has not started: 'removed', 'started' (a
   * worker has it, or it is done and being delivered) or 'gone' (no such request any more).
   */
  async removeIfWaiting(requestId: string): Promise<'removed' | 'started' | 'gone'> {
    const state = await this.deps.translateQueue.getJobState(requestId);
    if (state === 'unknown') return 'gone';
    if (!notStarted.has(state)) return 'started';
    const delivery = await this.deps.deliverQueue.getJob(deliveryJobId(requestId));
    if (!delivery) return 'gone';
    // Removing the parent removes the translate child too; BullMQ refuses (throws) when a worker locked either.
    return delivery.remove().then(
      () => 'removed' as const,
      () => 'started' as const,
    );
  }

  /** Answers the request with `error` unless it was answered already; says whether it did. */
  async answerWithdrawn(requestId: string, error: UserError): Promise<boolean> {
    if (!(await this.deps.claims.withdraw(requestId))) return false;
    const record = await this.deps.records.get(requestId);
    const target = record ? this.deps.targetSchema.safeParse(record.target) : undefined;
    if (target?.success) {
      await this.deps.adapter
        .deliver(target.data, failureAnswer(requestId, error))
        .catch((err: unknown) => this.deps.logger.warn({ err, requestId }, 'telling the user about a withdrawn request failed'));
    }
    return true;
  }
}
