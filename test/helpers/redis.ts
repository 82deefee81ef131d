import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalRedis, type LocalRedis } from '../../shared/process/local-redis.js';

/** A private redis-server for one test file, on a free loopback port; `stop` removes it and its files. */
export async function startTestRedis(): Promise<LocalRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'animebot-redis-'));
  const redis = await startLocalRedis({ dir });
  return {
    ...redis,
    async stop() {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
