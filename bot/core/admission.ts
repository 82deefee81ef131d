import type { Queue } from 'bullmq';
import { QueueBusyError, TooManyPendingError } from '../../shared/errors.js';
import type { PendingRequests } from './pending-requests.js';
import type { RateLimiter } from './rate-limiter.js';

export interface AdmissionLimits {
  /** Waiting translate jobs at which new requests are refused. */
  queueCap: number;
  /** Requests one user may have waiting or running. */
  maxPending: number;
}

/**
 * Decides whether a user may submit a request now, cheapest check first: the queue cap,
 * the user's pending requests, then the rate limit (which counts the request).
 */
export class Admission {
  constructor(
    private readonly translateQueue: Queue,
    private readonly pending: PendingRequests,
    private readonly rateLimiter: RateLimiter,
    private readonly limits: AdmissionLimits,
  ) {}

  /** Throws UserError (queue_busy, too_many_pending, rate_limited) when the request must wait. */
  async admit(userId: string): Promise<void> {
    if ((await this.translateQueue.getWaitingCount()) >= this.limits.queueCap) throw QueueBusyError();
    if ((await this.pending.list(userId)).length >= this.limits.maxPending) throw TooManyPendingError(this.limits.maxPending);
    await this.rateLimiter.consume(userId);
  }
}
