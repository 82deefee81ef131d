import { loadConfig } from '../shared/config.js';
import { PortInUseError } from '../shared/http/port-in-use.js';
import { createLogger } from '../shared/logger.js';
import { announceReady } from '../shared/process/child-service.js';
import { runUntilSignal } from '../shared/process/run-until-signal.js';
import { reportRedisOutagesTo } from '../shared/queue/redis.js';
import { startTranslateWorker } from './translate-worker.js';

const config = loadConfig();
const logger = createLogger(config, 'worker');
if (!config.REDIS_URL) {
  logger.fatal('REDIS_URL is not set; the worker needs a Redis server (or use `npm start`, which starts one)');
  process.exit(1);
}
reportRedisOutagesTo(logger);
const handle = await startTranslateWorker({ config, logger, redisUrl: config.REDIS_URL }).catch((err: unknown) => {
  if (!(err instanceof PortInUseError)) throw err;
  console.error(err.message);
  process.exit(2);
});
announceReady();
await runUntilSignal(logger, () => handle.close());
