import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * Redis's files on disk keep deleted data until they are rewritten: the append-only file
 * holds every write since its last rewrite (a photo's bytes, then its DEL), the RDB snapshot
 * the data as of its time. `rewrite` has Redis write both anew in the background, from what
 * it holds now, so that what was deleted leaves the disk as well (/forget). A server without
 * persistence has nothing to rewrite; one that refuses these commands (some managed services
 * do) is left alone, with a warning.
 */
export class RedisPersistence {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async rewrite(): Promise<void> {
    try {
      const [, appendOnly] = await this.redis.config('GET', 'appendonly');
      const [, savePoints] = await this.redis.config('GET', 'save');
      // Redis runs one background rewrite at a time; a second is scheduled after it, not refused.
      if (appendOnly === 'yes') await this.redis.bgrewriteaof();
      if (savePoints) await this.redis.bgsave('SCHEDULE');
    } catch (err) {
      this.logger.warn({ err }, 'Redis did not rewrite its files; deleted data stays on its disk until its next rewrite');
    }
  }
}
