import { ConfigError, loadConfig } from '../shared/config.js';
import { PortInUseError } from '../shared/http/port-in-use.js';
import { createLogger } from '../shared/logger.js';
import { runUntilSignal } from '../shared/process/run-until-signal.js';
import { reportRedisOutagesTo } from '../shared/queue/redis.js';
import { startConfiguredBots } from './start-configured-bots.js';

/** The chat bots alone (translate workers run elsewhere), as docker-compose's `bot` service runs them. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'bot');
  if (!config.REDIS_URL) {
    logger.fatal('REDIS_URL is not set; the bots need the Redis server the workers use (or use `npm start`, which starts one)');
    process.exit(2);
  }
  reportRedisOutagesTo(logger);
  const bots = await startConfiguredBots({ config, logger, redisUrl: config.REDIS_URL });
  await runUntilSignal(logger, () => bots.close());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof PortInUseError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
