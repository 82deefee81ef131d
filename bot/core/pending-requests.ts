import type { Redis } from 'ioredis';
import type { Platform } from '../../shared/queue/contracts.js';

/**
 * Each user's requests that are waiting or running (not answered yet), oldest first, in a
 * Redis sorted set scored by submission time. Answered requests are removed by whoever
 * answers; entries whose request is gone anyway (`isLive` says no, e.g. its delivery failed
 * for good) or older than `maxAgeMs` are dropped when listed, so that a lost request cannot
 * hold a user's quota.
 */
export class PendingRequests {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
    private readonly maxAgeMs: number,
    private readonly isLive: (requestId: string) => Promise<boolean>,
  ) {}

  async add(userId: string, requestId: string, at = Date.now()): Promise<void> {
    const key = this.key(userId);
    await this.redis.multi().zadd(key, at, requestId).pexpire(key, this.maxAgeMs).exec();
  }

  async remove(userId: string, requestId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), requestId);
  }

  /** The user's pending request ids, oldest first. */
  async list(userId: string): Promise<string[]> {
    const key = this.key(userId);
    await this.redis.zremrangebyscore(key, '-inf', String(Date.now() - this.maxAgeMs));
    const ids = await this.redis.zrange(key, '0', '-1');
    const live = await Promise.all(ids.map((id) => this.isLive(id)));
    const gone = ids.filter((_, i) => !live[i]);
    if (gone.length) await this.redis.zrem(key, ...gone);
    return ids.filter((_, i) => live[i]);
  }

  async clear(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
  }

  private key(userId: string): string {
    return `${this.prefix}:bot:${this.platform}:user:${userId}:pending`;
  }
}
