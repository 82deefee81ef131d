import type { Redis } from 'ioredis';
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import type { Platform } from '../../shared/queue/contracts.js';

/** INCR the window's counter (starting its expiry on the first request); undo it when over the limit. */
const consumeScript = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then redis.call('DECR', KEYS[1]) end
return {n, redis.call('PTTL', KEYS[1])}`;

const counterReply = z.tuple([z.number(), z.number()]);

/**
 * A fixed-window counter per user in Redis: at most `limit` requests per `windowSeconds`.
 * Shared by every bot instance of the platform.
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one request; throws UserError.rateLimited (and counts nothing) when the user is over the limit. */
  async consume(userId: string): Promise<void> {
    const [count, ttlMs] = counterReply.parse(await this.redis.eval(consumeScript, 1, this.key(userId), this.windowSeconds, this.limit));
    if (count <= this.limit) return;
    const retryAfterMs = Math.max(0, ttlMs);
    throw UserError.rateLimited(this.limit, this.windowSeconds, Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }

  async reset(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
  }

  private key(userId: string): string {
    return `${this.prefix}:bot:${this.platform}:user:${userId}:rate`;
  }
}
