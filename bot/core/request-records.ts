import type { Redis } from 'ioredis';
import { z } from 'zod';
import { platforms, type Platform } from '../../shared/queue/contracts.js';

export const requestRecordSchema = z.object({
  requestId: z.string(),
  platform: z.enum(platforms),
  userId: z.string(),
  /** The uploaded image, kept (until its TTL) so that "other style" and "retry" can reuse it. */
  inputBlob: z.string(),
  style: z.string().optional(),
  target: z.record(z.string(), z.unknown()),
  createdAt: z.number().int(),
});
export type RequestRecord = z.infer<typeof requestRecordSchema>;

/**
 * What the bot remembers about each request, in Redis: who asked, the input image's blob
 * and where to answer. It outlives a bot restart, lets buttons resubmit the same image,
 * and lets /forget find everything stored for a user.
 */
export class RequestRecords {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
    private readonly ttlSeconds: number,
  ) {}

  async get(requestId: string): Promise<RequestRecord | undefined> {
    const text = await this.redis.get(this.key(requestId));
    if (text === null) return undefined;
    const parsed = requestRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  }

  async save(record: RequestRecord): Promise<void> {
    const index = this.userIndex(record.userId);
    await this.redis.multi().set(this.key(record.requestId), JSON.stringify(record), 'EX', this.ttlSeconds).sadd(index, record.requestId).expire(index, this.ttlSeconds).exec();
  }

  /** Deletes every record of the user and returns those that had not expired. */
  async deleteForUser(userId: string): Promise<RequestRecord[]> {
    const ids = await this.redis.smembers(this.userIndex(userId));
    const records = (await Promise.all(ids.map((id) => this.get(id)))).filter((r): r is RequestRecord => r !== undefined);
    await this.redis.del(this.userIndex(userId), ...ids.map((id) => this.key(id)));
    return records;
  }

  private key(requestId: string): string {
    return `${this.prefix}:bot:${this.platform}:request:${requestId}`;
  }

  private userIndex(userId: string): string {
    return `${this.prefix}:bot:${this.platform}:user:${userId}:requests`;
  }
}
