import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';

type Listener = (message: unknown) => void;

/**
 * Live updates for the web pages, through Redis pub/sub: whichever web instance delivers an
 * answer (or hears of a training run) publishes it, and every instance passes it to the
 * pages it streams to. One subscriber connection per instance, however many pages listen.
 */
export class WebEvents {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly channelPrefix: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.channelPrefix = `${prefix}:web:events:`;
    subscriber.on('pmessage', (_pattern: string, channel: string, text: string) => this.dispatch(channel.slice(this.channelPrefix.length), text));
  }

  async start(): Promise<void> {
    await this.subscriber.psubscribe(`${this.channelPrefix}*`);
  }

  async publish(topic: string, message: unknown): Promise<void> {
    await this.publisher.publish(this.channelPrefix + topic, JSON.stringify(message));
  }

  /** Calls `listener` with every message on the topic until the returned function is called. */
  subscribe(topic: string, listener: Listener): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size) this.listeners.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.subscriber.quit();
  }

  private dispatch(topic: string, text: string): void {
    const set = this.listeners.get(topic);
    if (!set) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (err) {
      this.logger.warn({ err, topic }, 'unreadable web event');
      return;
    }
    for (const listener of set) listener(message);
  }
}
