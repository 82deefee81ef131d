import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * 1-based position of a waiting job (1 = next to run), or undefined when it is no longer
 * waiting. BullMQ pushes new jobs on the left of the wait list and workers take from the
 * right, so the position is counted from the right end.
 */
export async function queuePosition(redis: Redis, queue: Queue, jobId: string): Promise<number | undefined> {
  const key = queue.toKey('wait');
  const [index, length] = await Promise.all([redis.lpos(key, jobId), redis.llen(key)]);
  return index === null ? undefined : length - index;
}

/** The ids of the waiting jobs, next to run first. */
export async function waitingJobIds(redis: Redis, queue: Queue): Promise<string[]> {
  return (await redis.lrange(queue.toKey('wait'), 0, -1)).reverse().filter((id) => !id.startsWith('0:'));
}
