import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface KeyAudit {
  keys: number;
  blobs: number;
  /** Keys that should expire but have no TTL, or a TTL longer than their kind allows. */
  leaked: string[];
  /** Job hashes that no queue state names (nothing would ever remove them). */
  orphanJobs: string[];
  /** Jobs not finished (waiting, active, delayed, …) by queue and state; nothing should be left at the end. */
  unfinishedJobs: Record<string, number>;
  /** Finished jobs per queue and state (kept for their retention, then removed by BullMQ). */
  finishedJobs: Record<string, number>;
}

/** The bots' keys kept without expiry: the average job time (wait estimates) and users' settings. */
const persistentBotKey = /^bot:(job-ms|[^:]+:user:[^:]+:settings)$/;
const jobSuffixes = new Set(['logs', 'lock', 'dependencies', 'processed', 'failed', 'unsuccessful']);

/**
 * Scans every key under `prefix` after a run: blobs must expire within `blobTtlSeconds`,
 * the bots' records, markers and counters must expire at all, and every job hash must
 * belong to a job a queue still tracks, in a finished state.
 */
export async function auditKeys(redis: Redis, prefix: string, queues: Queue[], blobTtlSeconds: number): Promise<KeyAudit> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
  const audit: KeyAudit = { keys: keys.length, blobs: 0, leaked: [], orphanJobs: [], unfinishedJobs: {}, finishedJobs: {} };
  const jobIds = new Map<Queue, Set<string>>(queues.map((q) => [q, new Set()]));
  for (const key of keys) {
    const ttlMs = await redis.pttl(key);
    if (ttlMs === -2) continue;
    const rest = key.slice(prefix.length + 1);
    if (rest.startsWith('blob:')) {
      audit.blobs++;
      if (ttlMs < 0 || ttlMs > blobTtlSeconds * 1000) audit.leaked.push(`${key} (TTL ${ttlMs} ms)`);
      continue;
    }
    if (rest.startsWith('bot:')) {
      if (ttlMs < 0 && !persistentBotKey.test(rest)) audit.leaked.push(`${key} (no TTL)`);
      continue;
    }
    const queue = queues.find((q) => rest.startsWith(`${q.name}:`));
    if (!queue) continue;
    const [id, suffix] = rest.slice(queue.name.length + 1).split(':');
    // A job's own keys: its hash (`<queue>:<id>`) and keys named after it; the rest are the queue's.
    if (suffix !== undefined && !jobSuffixes.has(suffix)) continue;
    if (suffix === undefined && (await redis.type(key)) !== 'hash') continue;
    if (suffix === undefined && id !== 'meta') jobIds.get(queue)!.add(id!);
  }
  for (const [queue, ids] of jobIds) {
    for (const id of ids) {
      const state = await queue.getJobState(id);
      const bucket = state === 'completed' || state === 'failed' ? audit.finishedJobs : audit.unfinishedJobs;
      if (state === 'unknown') audit.orphanJobs.push(`${queue.name}:${id}`);
      else bucket[`${queue.name} ${state}`] = (bucket[`${queue.name} ${state}`] ?? 0) + 1;
    }
  }
  return audit;
}
