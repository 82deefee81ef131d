import path from 'node:path';
import { ConfigError, loadConfig } from '../shared/config.js';
import { PortInUseError } from '../shared/http/port-in-use.js';
import { createLogger } from '../shared/logger.js';
import { RedisNotInstalledError, startLocalRedis } from '../shared/process/local-redis.js';
import { runUntilSignal } from '../shared/process/run-until-signal.js';
import { startTranslateWorker } from '../worker/translate-worker.js';
import { startConfiguredBots } from '../bot/start-configured-bots.js';

/**
 * All-in-one: Redis (a local child with data under var/ when REDIS_URL is unset), the
 * translate worker, then each bot whose token is configured. Ctrl-C stops everything.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'animebot');
  const localRedis = config.REDIS_URL ? undefined : await startLocalRedis({ dir: path.resolve(config.REDIS_DATA_DIR), persistence: true });
  const redisUrl = config.REDIS_URL ?? localRedis!.url;
  if (localRedis) logger.info({ port: localRedis.port, dir: config.REDIS_DATA_DIR }, `started local redis-server on ${localRedis.url} (set REDIS_URL to use your own)`);

  const worker = await startTranslateWorker({ config, logger, redisUrl });
  const styles = await worker.models.installedStyles();
  logger.info({ styles, defaultStyle: config.DEFAULT_STYLE }, styles.length ? `styles installed: ${styles.join(', ')}` : `no styles installed in ${config.MODELS_DIR}`);
  const bots = await startConfiguredBots({ config, logger, redisUrl });

  logger.info(`animebot is running${worker.health ? ` — health on http://localhost:${worker.health.port}/healthz` : ''}. Ctrl-C stops it.`);
  await runUntilSignal(logger, async () => {
    await bots.close();
    await worker.close();
    await localRedis?.stop();
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RedisNotInstalledError || err instanceof PortInUseError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
