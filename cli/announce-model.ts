import type { Config } from '../shared/config.js';
import { ModelAnnouncer } from '../shared/models/model-announcer.js';
import { createRedis } from '../shared/queue/redis.js';
import { runningRedisUrl } from './redis-session.js';

/** Tells running workers to reload a style; when none runs, they pick it up on their next job. */
export async function announceModel(config: Config, style: string, version: string): Promise<void> {
  const url = await runningRedisUrl(config);
  if (!url) return;
  const redis = createRedis(url);
  try {
    await new ModelAnnouncer(redis, config.QUEUE_PREFIX).announce({ style, version });
  } finally {
    redis.disconnect();
  }
}
