import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { Queue, QueueEvents } from 'bullmq';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError } from 'fastify';
import { RedisBlobStore } from '../../shared/blob/redis-blob-store.js';
import type { Config } from '../../shared/config.js';
import { UserError, type UserErrorCode } from '../../shared/errors.js';
import { portInUse } from '../../shared/http/port-in-use.js';
import type { Logger } from '../../shared/logger.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { platforms, queueNames } from '../../shared/queue/contracts.js';
import { translateQueue, translateQueueEvents } from '../../shared/queue/queues.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TranslateClient } from '../../shared/queue/translate-client.js';
import { BotCore } from '../core/bot-core.js';
import { RateLimiter } from '../core/rate-limiter.js';
import { registerAdminRoutes } from './admin-routes.js';
import { AdminSession, webAdminId } from './admin-session.js';
import { registerPlaygroundRoutes } from './playground-routes.js';
import { StyleSamples } from './style-samples.js';
import { WebAdapter, type WebNotice, type WebTarget } from './web-adapter.js';
import { WebEvents } from './web-events.js';
import { WebRequests } from './web-requests.js';

export interface WebPlatformOptions {
  config: Config;
  logger: Logger;
  redisUrl: string;
  /** Defaults to the directory store at MODELS_DIR. */
  store?: ModelStore;
}

export interface RunningWebPlatform {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Guesses of the admin password one client address may make. */
const loginAttempts = { limit: 10, windowSeconds: 300 };

/** HTTP status of each refusal the bot core can give. */
const statusOf: Partial<Record<UserErrorCode, number>> = {
  file_too_large: 413,
  image_too_large: 413,
  rate_limited: 429,
  too_many_pending: 429,
  queue_busy: 503,
  forbidden: 403,
};

/**
 * The web platform, the third beside Telegram and Discord on the same bot core: the
 * playground at `/` (uploads go through the core's intake, answers come back through its
 * delivery queue to the WebAdapter) and the admin dashboard at `/admin`, served by Fastify
 * on WEB_PORT.
 */
export async function startWebPlatform({ config, logger: parentLogger, redisUrl, store: givenStore }: WebPlatformOptions): Promise<RunningWebPlatform> {
  const logger = parentLogger.child({ bot: 'web' });
  const prefix = config.QUEUE_PREFIX;
  const connection = redisOptions(redisUrl);
  const redis = createRedis(redisUrl);
  const events = new WebEvents(redis, createRedis(redisUrl), prefix, logger);
  const requests = new WebRequests(redis, events, prefix, config.BLOB_TTL_S);
  const store = givenStore ?? new DirectoryModelStore(config.MODELS_DIR);
  const session = new AdminSession(config.ADMIN_PASSWORD);
  const core = new BotCore<WebTarget, WebNotice>({
    config,
    logger,
    redisUrl,
    adapter: new WebAdapter(requests, events),
    admins: session.enabled ? [webAdminId] : [],
    store,
  });
  // The style samples' translations and bull-board's views have queues of their own, apart from the core's.
  const samplesQueue = translateQueue(connection, config);
  const samplesEvents = translateQueueEvents(connection, config);
  const samples = new StyleSamples(store, new TranslateClient(redis, samplesQueue, samplesEvents, new RedisBlobStore(redis, prefix, config.BLOB_TTL_S), config.BLOB_TTL_S), logger);
  // The CLI waits for its jobs in-process: it has no delivery queue.
  const deliveryQueues = platforms.filter((p) => p !== 'cli').map((p) => queueNames.deliver(p));
  const boardQueues = [queueNames.translate, queueNames.train, queueNames.curate, ...deliveryQueues].map((name) => new Queue(name, { connection, prefix }));
  const trainEvents = new QueueEvents(queueNames.train, { connection, prefix });

  // Open event streams would hold close() up: they are cut.
  const httpLogger: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance: httpLogger, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 64 * 1024, forceCloseConnections: true });
  await app.register(cookie, { secret: session.cookieSecret });
  await app.register(csrfProtection, { sessionPlugin: '@fastify/cookie', cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', signed: false } });
  await app.register(formbody);
  await app.register(multipart);
  await app.register(fastifyStatic, { root: new URL('./public/', import.meta.url).pathname, prefix: '/assets/' });
  app.setErrorHandler((err: Error & Partial<Pick<FastifyError, 'code' | 'statusCode'>>, request, reply) => {
    if (err instanceof UserError) return reply.code(statusOf[err.code] ?? 400).send({ code: err.code, message: err.message });
    if (err.code?.startsWith('FST_CSRF')) {
      return reply.code(403).send({ code: 'forbidden', message: 'This page has expired or the request came from another site: reload the page and try again.' });
    }
    if (err.statusCode !== undefined && err.statusCode < 500) return reply.code(err.statusCode).send({ code: 'malformed_request', message: err.message });
    request.log.error({ err }, 'web request failed');
    const failure = UserError.somethingWentWrong(err);
    return reply.code(500).send({ code: failure.code, message: failure.message });
  });
  registerPlaygroundRoutes(app, { core, requests, samples, maxInputBytes: config.MAX_INPUT_BYTES });
  const loginLimiter = new RateLimiter(redis, prefix, 'web', loginAttempts.limit, loginAttempts.windowSeconds);
  await registerAdminRoutes(app, { core, session, events, trainEvents, queues: boardQueues, runsDir: config.RUNS_DIR, loginLimiter });

  const closeConnections = async () => {
    await Promise.all([core.close(), events.close(), trainEvents.close(), samplesEvents.close(), samplesQueue.close(), ...boardQueues.map((q) => q.close())]);
    await redis.quit();
  };
  try {
    await events.start();
    await core.start();
    await app.listen({ port: config.WEB_PORT, host: '0.0.0.0' }).catch((err: unknown) => {
      throw portInUse(err, config.WEB_PORT, 'WEB_PORT');
    });
  } catch (err) {
    await app.close();
    await closeConnections();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.WEB_PORT;
  const url = `http://localhost:${port}/`;
  logger.info({ port }, `web playground on ${url} — admin dashboard on ${url}admin${session.enabled ? '' : ' (off: set ADMIN_PASSWORD to turn it on)'}`);
  return {
    port,
    url,
    async close() {
      await app.close();
      await closeConnections();
    },
  };
}
