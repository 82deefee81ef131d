import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** A place in the translate queue, held from admission until the job is in the queue (or the request is refused). */
export interface QueueSlot {
  /** 1-based position the request will have when it joins the queue (1 = next to run). */
  position: number;
  /** Gives the place up: once the job is in the queue it counts there, or the request was refused. */
  release(): Promise<void>;
}

/** A reservation whose bot died before releasing it stops counting after this. */
const reservationTtlMs = 2 * 60_000;

/**
 * Counts waiting jobs plus places reserved by requests on their way in (downloading, being
 * submitted) and reserves one more only while the total is under the cap, in one Lua script:
 * simultaneous requests cannot all see room, and each gets its own position.
 *
 * KEYS: wait list, paused list (older BullMQ), reservations (sorted set, scored by expiry).
 * ARGV: cap, now (ms), expiry (ms), reservation id. Returns the position, or 0 when full.
 */
const reserveScript = `
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
local taken = redis.call('LLEN', KEYS[1]) + redis.call('LLEN', KEYS[2]) + redis.call('ZCARD', KEYS[3])
if taken >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ${reservationTtlMs})
return taken + 1
`;

/** The translate queue's cap (QUEUE_CAP), enforced atomically across every bot instance. */
export class QueueSlots {
  private readonly reservationsKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly cap: number,
  ) {
    this.reservationsKey = queue.toKey('reserved');
  }

  /** A place in the queue, or undefined when the queue is full. */
  async reserve(id: string): Promise<QueueSlot | undefined> {
    const now = Date.now();
    const position = Number(await this.redis.eval(reserveScript, 3, this.queue.toKey('wait'), this.queue.toKey('paused'), this.reservationsKey, this.cap, now, now + reservationTtlMs, id));
    if (!position) return undefined;
    const release = async () => {
      await this.redis.zrem(this.reservationsKey, id);
    };
    return { position, release };
  }
}
