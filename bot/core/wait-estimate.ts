import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePosition, waitingJobIds } from '../../shared/queue/queue-position.js';

export interface WaitEstimate {
  /** 1 = next to run. */
  position: number;
  /** Seconds until the result, roughly; undefined while no worker is running. */
  etaSeconds: number | undefined;
}

/** Weight of the newest job in the moving average of job durations. */
const smoothing = 0.2;
const assumedJobMs = 5000;

/**
 * Guesses how long a request will wait: its place in the translate queue times a moving
 * average of recent job durations (kept in Redis, fed by deliveries), shared among the
 * running workers.
 */
export class WaitEstimator {
  private readonly averageKey: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly translateQueue: Queue,
  ) {
    this.averageKey = `${prefix}:bot:job-ms`;
  }

  async recordJobDuration(ms: number): Promise<void> {
    const previous = Number(await this.redis.get(this.averageKey)) || ms;
    await this.redis.set(this.averageKey, String(Math.round(previous + smoothing * (ms - previous))));
  }

  /** The moving average of job durations, or undefined before the first job. */
  async averageJobMs(): Promise<number | undefined> {
    return Number(await this.redis.get(this.averageKey)) || undefined;
  }

  /** The waiting jobs, next to run first. */
  waitingJobs(): Promise<string[]> {
    return waitingJobIds(this.redis, this.translateQueue);
  }

  /** The estimate for a waiting job, or undefined when it is not waiting (any more). */
  async forJob(jobId: string): Promise<WaitEstimate | undefined> {
    const position = await queuePosition(this.redis, this.translateQueue, jobId);
    return position === undefined ? undefined : this.forPosition(position);
  }

  /** The estimate for a request at this position (1 = next to run). */
  async forPosition(position: number): Promise<WaitEstimate> {
    // Counting workers lists Redis clients; a server that forbids CLIENT LIST gets one assumed.
    const [workers, average] = await Promise.all([this.translateQueue.getWorkersCount().catch(() => 1), this.averageJobMs().then((ms) => ms ?? assumedJobMs)]);
    return { position, etaSeconds: workers > 0 ? Math.max(1, Math.round((position * average) / workers / 1000)) : undefined };
  }
}
