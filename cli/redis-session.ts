import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../shared/config.js';
import { startLocalRedis } from '../shared/process/local-redis.js';
import { CliError } from './cli-error.js';

/** The Redis the CLI talks to: REDIS_URL, or with `--inline` a private throwaway server. */
export async function redisForCli(config: Config, inline: boolean): Promise<{ url: string; close(): Promise<void> }> {
  if (config.REDIS_URL) return { url: config.REDIS_URL, close: async () => {} };
  if (!inline) throw new CliError('REDIS_URL is not set. Point it at the Redis that `npm start` uses, or add --inline to run a worker in this process.', 1);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'animebot-cli-redis-'));
  const redis = await startLocalRedis({ dir, persistence: false });
  return {
    url: redis.url,
    async close() {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
