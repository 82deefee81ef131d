import type { Redis } from 'ioredis';
import { z } from 'zod';
import { watchRedisClient } from '../queue/redis.js';

const announcementSchema = z.object({ style: z.string(), version: z.string() });
export type ModelAnnouncement = z.infer<typeof announcementSchema>;

/**
 * Tells every worker that a style's current version changed (promotion or rollback), so
 * they reload it before the next job instead of discovering it on a request.
 */
export class ModelAnnouncer {
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}:models:current`;
  }

  async announce(announcement: ModelAnnouncement): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify(announcement));
  }

  /** Subscribes with a dedicated connection (a subscribed ioredis client can do nothing else). */
  async subscribe(onAnnouncement: (a: ModelAnnouncement) => void): Promise<() => Promise<void>> {
    const sub = watchRedisClient(this.redis.duplicate());
    await sub.subscribe(this.channel);
    sub.on('message', (_channel: string, text: string) => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return;
      }
      const parsed = announcementSchema.safeParse(json);
      if (parsed.success) onAnnouncement(parsed.data);
    });
    return async () => {
      sub.disconnect();
    };
  }
}
