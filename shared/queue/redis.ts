import type { FlowProducer, Queue, QueueEvents, RedisOptions as BullRedisOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/**
 * Connection options for BullMQ from a redis:// or rediss:// URL. Passing options (not a
 * client) lets each BullMQ object own and close its connection. Workers and QueueEvents
 * block on Redis, so BullMQ requires `maxRetriesPerRequest: null`. Every connection of the
 * process is made from these options, so their retry strategy feeds the outage report.
 */
export function redisOptions(url: string): BullRedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  const host = u.hostname;
  const port = u.port ? Number(u.port) : 6379;
  const endpoint = `${host}:${port}`;
  return {
    host,
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    db,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => {
      outages.reconnecting(endpoint, attempt);
      return Math.min(attempt * 500, 5000);
    },
  };
}

/** A Redis client for our own commands (blobs, settings, pub/sub); its connection errors go to the outage report. */
export function createRedis(url: string): Redis {
  return watchRedisClient(new Redis({ ...redisOptions(url), enableReadyCheck: true }));
}

/** For a client made otherwise (`duplicate()` copies options, not listeners). */
export function watchRedisClient(client: Redis): Redis {
  const endpoint = `${client.options.host}:${client.options.port}`;
  client.on('error', (err: Error) => {
    if (isConnectionError(err)) outages.lost(endpoint, err);
    else outages.logger?.error({ err }, 'redis client error');
  });
  client.on('ready', () => outages.back(endpoint));
  return client;
}

/**
 * Gives a BullMQ object an error listener (without one, BullMQ prints each error with its
 * stack): connection errors belong to the outage report, others go to `onOtherError`.
 */
export function routeRedisErrors<T extends Queue | Worker | QueueEvents | FlowProducer>(emitter: T, onOtherError?: (err: Error) => void): T {
  (emitter as { on(event: 'error', listener: (err: Error) => void): unknown }).on('error', (err: Error) => {
    if (isConnectionError(err)) outages.lost(endpointOf(emitter), err);
    else if (onOtherError) onOtherError(err);
    else outages.logger?.error({ err }, 'redis queue error');
  });
  return emitter;
}

/** Where this process reports Redis outages; call once at start (unset: nowhere, as in tests). */
export function reportRedisOutagesTo(logger: Logger): void {
  outages.logger = logger;
}

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

function isConnectionError(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && connectionErrorCodes.has(code)) || err.message === 'Connection is closed.' || /^connect ETIMEDOUT|Stream isn't writeable/.test(err.message);
}

function endpointOf(emitter: Queue | Worker | QueueEvents | FlowProducer): string {
  const options = emitter.opts.connection as { host?: string; port?: number };
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/**
 * One warning when the first connection to an endpoint is lost, one line when a client is
 * ready again, with how long it took and how many reconnect attempts it made — however
 * many connections (queues, workers, blocking clients) the process has.
 */
class OutageReport {
  logger: Logger | undefined;
  private readonly down = new Map<string, { since: number; attempts: number }>();

  lost(endpoint: string, err?: Error): void {
    if (this.down.has(endpoint)) return;
    this.down.set(endpoint, { since: Date.now(), attempts: 0 });
    const reason = err ? ((err as NodeJS.ErrnoException).code ?? err.message) : 'connection closed';
    this.logger?.warn({ redis: endpoint, reason }, `lost the connection to Redis at ${endpoint} (${reason}); reconnecting`);
  }

  reconnecting(endpoint: string, attempt: number): void {
    this.lost(endpoint);
    const outage = this.down.get(endpoint)!;
    outage.attempts = Math.max(outage.attempts, attempt);
  }

  back(endpoint: string): void {
    const outage = this.down.get(endpoint);
    if (!outage) return;
    this.down.delete(endpoint);
    const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
    this.logger?.info(
      { redis: endpoint, outageS: Number(seconds), reconnects: outage.attempts },
      `Redis at ${endpoint} is back after ${seconds} s (${outage.attempts} reconnect attempt${outage.attempts === 1 ? '' : 's'})`,
    );
  }
}

const outages = new OutageReport();
