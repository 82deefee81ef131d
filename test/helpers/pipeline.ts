import { Writable } from 'node:stream';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisBlobStore } from '../../shared/blob/redis-blob-store.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { translateQueue, translateQueueEvents } from '../../shared/queue/queues.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TranslateClient } from '../../shared/queue/translate-client.js';
import { startTranslateWorker, type TranslateWorkerHandle } from '../../worker/translate-worker.js';

/** Settings for tests: the given overrides on top of defaults, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TF_BACKEND: 'cpu', DEFAULT_STYLE: 'sketch', ...overrides });
}

export function quietLogger(config: Config): Logger {
  return createLogger(config, 'test');
}

/** A logger at debug level, without the app logger's redaction, that appends every line to `lines` (for tests that read what was logged). */
export function capturingLogger(lines: string[]): Logger {
  return pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
}

/** A producer side (queue, events, blob store, client) on one Redis. */
export interface TestProducer {
  redis: Redis;
  queue: Queue;
  events: QueueEvents;
  blobs: RedisBlobStore;
  client: TranslateClient;
  close(): Promise<void>;
}

export async function testProducer(redisUrl: string, config: Config): Promise<TestProducer> {
  const redis = createRedis(redisUrl);
  const queue = translateQueue(redisOptions(redisUrl), config);
  const events = translateQueueEvents(redisOptions(redisUrl), config);
  await events.waitUntilReady();
  const blobs = new RedisBlobStore(redis, config.QUEUE_PREFIX, config.BLOB_TTL_S);
  return {
    redis,
    queue,
    events,
    blobs,
    client: new TranslateClient(redis, queue, events, blobs, config.BLOB_TTL_S),
    async close() {
      await events.close();
      await queue.close();
      redis.disconnect();
    },
  };
}

export async function testWorker(
  redisUrl: string,
  config: Config,
  store: ModelStore,
  healthPort: number | false = false,
  logger: Logger = quietLogger(config),
): Promise<TranslateWorkerHandle> {
  return startTranslateWorker({ config, logger, redisUrl, store, healthPort });
}
