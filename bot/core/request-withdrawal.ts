import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { AnswerClaims } from './answer-claims.js';
import { failureAnswer } from './answers.js';
import { deliveryJobId } from './delivery-worker.js';
import type { PlatformAdapter } from './platform-adapter.js';
import type { RequestRecords } from './request-records.js';

/** Translate job states in which no worker holds the job. */
const notStarted: ReadonlySet<string> = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);
/** Job states after which nothing more happens to a job (unknown: removed, or expired). */
const over: ReadonlySet<string> = new Set(['completed', 'failed', 'unknown']);

/**
 * Taking back a request (/cancel, /forget): its flow is removed while no worker holds it,
 * and its one answer becomes "cancelled", claimed like any other answer so that a delivery
 * racing the withdrawal cannot answer too.
 */
export class RequestWithdrawal<T> {
  constructor(
    private readonly deps: {
      redis: Redis;
      translateQueue: Queue;
      deliverQueue: Queue;
      claims: AnswerClaims;
      records: RequestRecords;
      adapter: Pick<PlatformAdapter<T, unknown>, 'deliver'>;
      targetSchema: z.ZodType<T>;
      logger: Logger;
    },
  ) {}

  /**
   * Removes the request's flow if its translation has not started: 'removed', 'started' (a
   * worker has it, or it is done and being delivered) or 'gone' (no such request any more).
   */
  async removeIfWaiting(requestId: string): Promise<'removed' | 'started' | 'gone'> {
    const state = await this.deps.translateQueue.getJobState(requestId);
    if (state === 'unknown') return 'gone';
    if (!notStarted.has(state)) return 'started';
    const delivery = await this.deps.deliverQueue.getJob(deliveryJobId(requestId));
    if (!delivery) return 'gone';
    // Removing the parent removes the translate child too; BullMQ refuses (throws) when a worker locked either.
    return delivery.remove().then(
      () => 'removed' as const,
      () => 'started' as const,
    );
  }

  /**
   * Erases what the queues keep of finished requests (/forget): their translate and delivery
   * jobs (who asked, where the answer went, the result's timings), the jobs' entries in the
   * queues' event streams, and their answered markers. A request still under way (a worker
   * holds it, or its answer is being delivered) keeps them, so that it still gets exactly one
   * answer; its jobs go with the queues' own retention. Returns the requests erased.
   */
  async eraseFinished(requestIds: readonly string[]): Promise<string[]> {
    const { translateQueue, deliverQueue, claims } = this.deps;
    const erased: string[] = [];
    for (const requestId of requestIds) {
      const states = await Promise.all([translateQueue.getJobState(requestId), deliverQueue.getJobState(deliveryJobId(requestId))]);
      if (!states.every((state) => over.has(state))) continue;
      await deliverQueue.remove(deliveryJobId(requestId));
      await translateQueue.remove(requestId);
      await claims.forget(requestId);
      erased.push(requestId);
    }
    const jobIds = new Set(erased.flatMap((id) => [id, deliveryJobId(id)]));
    for (const queue of [translateQueue, deliverQueue]) await eraseEvents(this.deps.redis, queue, jobIds);
    return erased;
  }

  /** Answers the request with `error` unless it was answered already; says whether it did. */
  async answerWithdrawn(requestId: string, error: UserError): Promise<boolean> {
    if (!(await this.deps.claims.withdraw(requestId))) return false;
    const record = await this.deps.records.get(requestId);
    const target = record ? this.deps.targetSchema.safeParse(record.target) : undefined;
    if (target?.success) {
      await this.deps.adapter
        .deliver(target.data, failureAnswer(requestId, error))
        .catch((err: unknown) => this.deps.logger.warn({ err, requestId }, 'telling the user about a withdrawn request failed'));
    }
    return true;
  }
}

/**
 * Rebuilds an event stream without the entries whose jobId is in ARGV, atomically. XDEL alone
 * would not do: it only marks entries deleted inside the stream's nodes, whose bytes then go
 * on into the RDB and AOF files. The stream keeps its last id, so readers go on where they were.
 * The stream is capped (BullMQ's maxLenEvents, 10 000 by default), so reading it whole is bounded.
 */
const eraseEventsScript = `
local erase = {}
for i = 1, #ARGV do erase[ARGV[i]] = true end
local kept, erased = {}, 0
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+')) do
  local fields, named = entry[2], false
  for i = 1, #fields - 1, 2 do
    if fields[i] == 'jobId' and erase[fields[i + 1]] then named = true end
  end
  if named then erased = erased + 1 else kept[#kept + 1] = entry end
end
if erased == 0 then return 0 end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local lastId
for i = 1, #info - 1, 2 do
  if info[i] == 'last-generated-id' then lastId = info[i + 1] end
end
redis.call('DEL', KEYS[1])
for _, entry in ipairs(kept) do redis.call('XADD', KEYS[1], entry[1], unpack(entry[2])) end
if #kept > 0 then redis.call('XSETID', KEYS[1], lastId) end
return erased`;

/** Erases the entries of `queue`'s event stream (added, active, progress, completed…) that name one of `jobIds`. */
async function eraseEvents(client: Redis, queue: Queue, jobIds: ReadonlySet<string>): Promise<void> {
  if (jobIds.size === 0) return;
  await client.eval(eraseEventsScript, 1, queue.keys.events!, ...jobIds);
}
