import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { announceReady } from '../shared/process/child-service.js';
import { runUntilSignal } from '../shared/process/run-until-signal.js';
import { reportRedisOutagesTo } from '../shared/queue/redis.js';
import { startTrainWorker } from './train-worker.js';

const config = loadConfig();
const logger = createLogger(config, 'trainer');
if (!config.REDIS_URL) {
  logger.fatal('REDIS_URL is not set; the trainer works the train queue in Redis (or run `npm run cli -- train` for a one-off run)');
  process.exit(1);
}
reportRedisOutagesTo(logger);
const handle = await startTrainWorker({ config, logger, redisUrl: config.REDIS_URL });
announceReady();
await runUntilSignal(logger, () => handle.close());
