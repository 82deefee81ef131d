import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BlobStore } from './blob-store.js';

export class RedisBlobStore implements BlobStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds: number,
  ) {}

  async put(bytes: Buffer, ttlSeconds = this.defaultTtlSeconds): Promise<string> {
    const key = `${this.prefix}:blob:${randomUUID()}`;
    await this.redis.set(key, bytes, 'EX', ttlSeconds);
    return key;
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.assertOwnKey(key);
    return (await this.redis.getBuffer(key)) ?? undefined;
  }

  async delete(key: string): Promise<void> {
    this.assertOwnKey(key);
    await this.redis.del(key);
  }

  /** Job data names keys; never let it point at other Redis data. */
  private assertOwnKey(key: string): void {
    if (!key.startsWith(`${this.prefix}:blob:`)) throw new Error(`not a blob key: ${key}`);
  }
}
