import type { Config } from '../shared/config.js';
import { ModelAnnouncer } from '../shared/models/model-announcer.js';
import { createRedis } from '../shared/queue/redis.js';

/** Tells running workers to reload a style; without REDIS_URL they pick it up on their next job. */
export async function announceModel(config: Config, style: string, version: string): Promise<void> {
  if (!config.REDIS_URL) return;
  const redis = createRedis(config.REDIS_URL);
  try {
    await new ModelAnnouncer(redis, config.QUEUE_PREFIX).announce({ style, version });
  } finally {
    redis.disconnect();
  }
}
