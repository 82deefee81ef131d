import type { Redis } from 'ioredis';
import type { Platform } from '../../shared/queue/contracts.js';

const keepSeconds = 24 * 3600;

/**
 * Platform events (updates, interactions) already handled, remembered for a day: platforms
 * deliver again what a bot did not acknowledge before it stopped (Telegram's getUpdates
 * offset, a resumed Discord gateway session), and a restarted bot must not answer twice.
 * An event is marked once handled, so one interrupted mid-way is handled again; request
 * submission is idempotent on its own for that case.
 */
export class HandledEvents {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly platform: Platform,
  ) {}

  async wasHandled(eventId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(eventId))) === 1;
  }

  async markHandled(eventId: string): Promise<void> {
    await this.redis.set(this.key(eventId), '1', 'EX', keepSeconds);
  }

  /**
   * True the first time a user action (e.g. a button of one message) is seen within
   * `seconds`: a double tap is two platform events that mean one action.
   */
  async firstWithin(action: string, seconds: number): Promise<boolean> {
    return (await this.redis.set(this.key(`action:${action}`), '1', 'EX', seconds, 'NX')) === 'OK';
  }

  /** Forgets an action seen by firstWithin (it was refused, so doing it again is no repeat). */
  async forgetAction(action: string): Promise<void> {
    await this.redis.del(this.key(`action:${action}`));
  }

  /** Forgets every action of the user seen by firstWithin (/forget; actions are keyed by user first). */
  async forgetActionsOf(userId: string): Promise<void> {
    const keys: string[] = [];
    for await (const batch of this.redis.scanStream({ match: `${this.key(`action:${userId}:`)}*`, count: 1000 }) as AsyncIterable<string[]>) keys.push(...batch);
    if (keys.length > 0) await this.redis.del(...keys);
  }

  private key(eventId: string): string {
    return `${this.prefix}:bot:${this.platform}:handled:${eventId}`;
  }
}
