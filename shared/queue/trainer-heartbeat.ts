import type { Redis } from 'ioredis';

/** A trainer renews the beat this often… */
const beatIntervalMs = 10_000;
/** …and the beat lapses this long after the last renewal (a trainer that died, or hangs). */
const beatTtlMs = 3 * beatIntervalMs;

/** Deletes the beat only when it is still this trainer's (another one may have renewed it since). */
const stopScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Whether a trainer process is consuming the `train` queue: every trainer renews one
 * short-lived key in Redis while it runs (any living trainer keeps it up); admins' surfaces
 * check it before queuing a run that nothing would take.
 */
export class TrainerHeartbeat {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:train:trainer-alive`;
  }

  /** Beats now and every few seconds until the returned stop is called. */
  async start(trainerId: string): Promise<() => Promise<void>> {
    const beat = () => this.redis.set(this.key, trainerId, 'PX', beatTtlMs);
    await beat();
    // A missed beat is retried at the next one; the TTL spans three.
    const timer = setInterval(() => void beat().catch(() => undefined), beatIntervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.redis.eval(stopScript, 1, this.key, trainerId);
    };
  }

  async anyAlive(): Promise<boolean> {
    return (await this.redis.exists(this.key)) === 1;
  }
}
