import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connection options for BullMQ from a redis:// or rediss:// URL. Passing options (not a
 * client) lets each BullMQ object own and close its connection. Workers and QueueEvents
 * block on Redis, so BullMQ requires `maxRetriesPerRequest: null`.
 */
export function redisOptions(url: string): BullRedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** A Redis client for our own commands (blobs, settings, pub/sub). */
export function createRedis(url: string, extra: RedisOptions = {}): Redis {
  return new Redis({ ...redisOptions(url), enableReadyCheck: true, ...extra });
}
