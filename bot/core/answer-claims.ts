import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Platform } from '../../shared/queue/contracts.js';

export type SendClaim =
  | { kind: 'claimed'; token: string }
  /** Answered already (sent, cancelled or forgotten): do not send. */
  | { kind: 'answered' }
  /** Another delivery is sending right now; try again later. */
  | { kind: 'busy' };

/** Compare-and-delete: release a sending claim only if it is still ours. */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * One marker per request in Redis makes sure each request gets exactly one answer, whoever
 * tries to answer it (a delivery retried after a bot crash, a stalled delivery job run twice,
 * /cancel or /forget racing a delivery):
 * - a delivery claims the request for `sendingLeaseMs` before sending, marks it `sent` after
 *   a successful send, or releases the claim when the send failed (so a retry can send);
 * - /cancel and /forget mark it `withdrawn`, which only succeeds when nobody claimed it.
 * A crashed sender's claim lapses after the lease, so the answer is retried, not lost.
 */
export class AnswerClaims {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
    private readonly keepSeconds: number,
    private readonly sendingLeaseMs = 120_000,
  ) {}

  async claimForSending(requestId: string): Promise<SendClaim> {
    const token = `sending:${randomUUID()}`;
    const key = this.key(requestId);
    if ((await this.redis.set(key, token, 'PX', this.sendingLeaseMs, 'NX')) === 'OK') return { kind: 'claimed', token };
    const current = await this.redis.get(key);
    if (current === null) return this.claimForSending(requestId);
    return current.startsWith('sending:') ? { kind: 'busy' } : { kind: 'answered' };
  }

  /** Whether anyone answered the request or is answering it. */
  async isClaimed(requestId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(requestId))) === 1;
  }

  async markSent(requestId: string): Promise<void> {
    await this.redis.set(this.key(requestId), 'sent', 'EX', this.keepSeconds);
  }

  async release(requestId: string, token: string): Promise<void> {
    await this.redis.eval(releaseScript, 1, this.key(requestId), token);
  }

  /** Marks the request answered by its withdrawal; false when it was answered or is being answered. */
  async withdraw(requestId: string): Promise<boolean> {
    return (await this.redis.set(this.key(requestId), 'withdrawn', 'EX', this.keepSeconds, 'NX')) === 'OK';
  }

  /** Drops the marker of a request that nothing can answer any more (its jobs are gone). */
  async forget(requestId: string): Promise<void> {
    await this.redis.del(this.key(requestId));
  }

  private key(requestId: string): string {
    return `${this.prefix}:bot:${this.platform}:answered:${requestId}`;
  }
}
