import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../shared/config.js';
import { findLocalRedis, startLocalRedis } from '../shared/process/local-redis.js';
import { CliError } from './cli-error.js';

/**
 * The Redis the CLI talks to: REDIS_URL; else without `--inline` the local server of a
 * running `npm start` (found through REDIS_DATA_DIR), with it a private throwaway server.
 */
export async function redisForCli(config: Config, inline: boolean): Promise<{ url: string; close(): Promise<void> }> {
  const running = inline ? config.REDIS_URL : await runningRedisUrl(config);
  if (running) return { url: running, close: async () => {} };
  if (!inline) {
    throw new CliError(
      'animebot is not running here: start it with `npm start` in another terminal, set REDIS_URL to the Redis it uses, or add --inline to run a worker in this process.',
      1,
    );
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'animebot-cli-redis-'));
  const redis = await startLocalRedis({ dir });
  return {
    url: redis.url,
    async close() {
      await redis.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** REDIS_URL, else the local server of a running `npm start`; undefined when neither is there. */
export async function runningRedisUrl(config: Config): Promise<string | undefined> {
  return config.REDIS_URL ?? (await findLocalRedis(config.REDIS_DATA_DIR));
}
