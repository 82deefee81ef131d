import path from 'node:path';
import { InstalledStyles } from '../bot/core/installed-styles.js';
import { startConfiguredBots } from '../bot/start-configured-bots.js';
import { ConfigError, loadConfig } from '../shared/config.js';
import { PortInUseError } from '../shared/http/port-in-use.js';
import { createLogger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { startChildService } from '../shared/process/child-service.js';
import { ensureLocalRedis, LocalRedisUnavailableError, RedisNotInstalledError } from '../shared/process/local-redis.js';
import { runUntilSignal } from '../shared/process/run-until-signal.js';
import { reportRedisOutagesTo } from '../shared/queue/redis.js';
import { resolveStyle } from '../shared/styles.js';

/**
 * All-in-one: Redis (a local server with data under var/ when REDIS_URL is unset), the
 * translate worker and the trainer in their own processes (a slow model never holds up the
 * bots), then each bot whose token is configured. Ctrl-C stops the bots, worker and trainer
 * after their in-flight work, and the local Redis last.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'animebot');
  reportRedisOutagesTo(logger);
  const dataDir = path.resolve(config.REDIS_DATA_DIR);
  const localRedis = config.REDIS_URL ? undefined : await ensureLocalRedis({ dir: dataDir, port: config.LOCAL_REDIS_PORT });
  const redisUrl = config.REDIS_URL ?? localRedis!.url;
  if (localRedis) {
    const how = localRedis.reused ? 'reusing the local redis-server an earlier start left running' : 'started local redis-server';
    logger.info({ port: localRedis.port, redisPid: localRedis.pid, dir: config.REDIS_DATA_DIR }, `${how} on ${localRedis.url} (set REDIS_URL to use your own)`);
  }

  const env = { ...process.env, REDIS_URL: redisUrl };
  const services = [startChildService({ name: 'worker', script: 'worker/main.ts', env, logger }), startChildService({ name: 'trainer', script: 'trainer/main.ts', env, logger })];
  const stopNow = () => {
    for (const service of services) service.kill();
    if (localRedis) process.kill(localRedis.pid, 'SIGTERM');
  };
  // Ctrl-C or a hang-up while starting: nothing is in flight yet, so stop everything now.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const onSignalWhileStarting = (signal: NodeJS.Signals) => {
    logger.warn({ signal }, `${signal} while starting: stopping`);
    stopNow();
    process.exit(130);
  };
  for (const signal of signals) process.on(signal, onSignalWhileStarting);
  const bots = await Promise.all(services.map((s) => s.ready))
    .then(() => startConfiguredBots({ config, logger, redisUrl }))
    .catch((err: unknown) => {
      stopNow();
      throw err;
    });
  for (const signal of signals) process.off(signal, onSignalWhileStarting);

  const styles = await new InstalledStyles(new DirectoryModelStore(config.MODELS_DIR), config.DEFAULT_STYLE).list();
  logger.info({ styles, defaultStyle: config.DEFAULT_STYLE }, styles.length ? `styles installed: ${styles.join(', ')}` : `no styles installed in ${config.MODELS_DIR}`);
  logger.info(`animebot is running — health on http://localhost:${config.HEALTH_PORT}/healthz. Ctrl-C stops it.`);
  // What a request without a style gets: the default style, or an installed one while it has no model.
  const served = styles.length ? resolveStyle(undefined, styles, config.DEFAULT_STYLE) : undefined;
  const others = styles.filter((s) => s !== served?.style);
  const styleNote = served
    ? `style "${served.style}"${served.requestedStyle ? ` (no "${served.requestedStyle}" model installed)` : ''}${others.length ? `; --style ${others.join('|')} for another` : ''}`
    : `no style has a model yet (see docs/training.md)`;
  logger.info(
    // Pasted whole, the part after `#` is a shell comment.
    `try it${config.REDIS_URL ? ' (with REDIS_URL set as here)' : ''}: npm run cli -- translate photo.jpg   # ${styleNote}`,
  );

  await runUntilSignal(
    logger,
    async () => {
      await Promise.all([bots.close(), ...services.map((s) => s.stop())]);
      await localRedis?.stop();
    },
    { stopNow, stopWhen: Promise.race(services.map((s) => s.exited)) },
  );
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof RedisNotInstalledError || err instanceof LocalRedisUnavailableError || err instanceof PortInUseError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
