import type { Transformer } from 'grammy';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';

/** As long as HandledEvents remembers handled updates, so a replayed one is recognised. */
const keepSeconds = 24 * 3600;

/**
 * Updates fetched by long polling and not handled yet, kept in Redis. The runner asks for
 * the next batch while the last one is being handled, and that request confirms the last
 * batch to Telegram, which then never sends it again: a bot killed at that moment lost
 * those photos (the chaos run found it). Each batch is kept here before the runner sees
 * it, dropped update by update once handled, and what a killed bot left is handled at the
 * next start (updates handled already are skipped by the EventRunner).
 */
export class UpdateInbox {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:bot:telegram:inbox`;
  }

  /** An API transformer that keeps what getUpdates returns before returning it. */
  keeper(): Transformer {
    return async (prev, method, payload, signal) => {
      const response = await prev(method, payload, signal);
      if (method === 'getUpdates' && response.ok) await this.keep(response.result as Update[]);
      return response;
    };
  }

  async keep(updates: readonly Update[]): Promise<void> {
    if (updates.length === 0) return;
    const fields = updates.flatMap((u) => [String(u.update_id), JSON.stringify(u)]);
    await this.redis
      .multi()
      .hset(this.key, ...fields)
      .expire(this.key, keepSeconds)
      .exec();
  }

  async handled(updateId: number): Promise<void> {
    await this.redis.hdel(this.key, String(updateId));
  }

  /** What was kept and not handled, oldest first. */
  async unhandled(): Promise<Update[]> {
    const kept = Object.values(await this.redis.hgetall(this.key)).map((text) => JSON.parse(text) as Update);
    return kept.sort((a, b) => a.update_id - b.update_id);
  }
}
