import type { Redis } from 'ioredis';
import type { Platform } from '../../shared/queue/contracts.js';

export interface UserSettingsValues {
  /** The style used when a request names none. */
  style?: string;
}

/** Per-user settings in a Redis hash (kept until the user runs /forget). */
export class UserSettings {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
  ) {}

  async get(userId: string): Promise<UserSettingsValues> {
    const style = await this.redis.hget(this.key(userId), 'style');
    return style === null ? {} : { style };
  }

  async setStyle(userId: string, style: string): Promise<void> {
    await this.redis.hset(this.key(userId), 'style', style);
  }

  /** Deletes the user's settings; says whether there were any. */
  async delete(userId: string): Promise<boolean> {
    return (await this.redis.del(this.key(userId))) > 0;
  }

  private key(userId: string): string {
    return `${this.prefix}:bot:${this.platform}:user:${userId}:settings`;
  }
}
