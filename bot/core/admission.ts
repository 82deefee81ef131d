import { UserError } from '../../shared/errors.js';
import type { QueueSlot, QueueSlots } from '../../shared/queue/queue-slots.js';
import type { PendingRequests } from './pending-requests.js';
import type { RateLimiter } from './rate-limiter.js';

export interface AdmissionLimits {
  /** Requests one user may have waiting or running. */
  maxPending: number;
}

/**
 * Decides whether a user may submit a request now: a place in the queue under its cap
 * (reserved atomically, so simultaneous requests cannot overfill it), the user's pending
 * requests, then the rate limit (which counts the request).
 */
export class Admission {
  constructor(
    private readonly slots: QueueSlots,
    private readonly pending: PendingRequests,
    private readonly rateLimiter: RateLimiter,
    private readonly limits: AdmissionLimits,
  ) {}

  /**
   * The request's place in the queue, to release once its job is queued (or it failed).
   * Throws UserError (queue_busy, too_many_pending, rate_limited) when the request must wait.
   */
  async admit(userId: string, requestId: string): Promise<QueueSlot> {
    const slot = await this.slots.reserve(requestId);
    if (!slot) throw UserError.queueBusy();
    try {
      if ((await this.pending.list(userId)).length >= this.limits.maxPending) throw UserError.tooManyPending(this.limits.maxPending);
      await this.rateLimiter.consume(userId);
    } catch (err) {
      await slot.release();
      throw err;
    }
    return slot;
  }
}
