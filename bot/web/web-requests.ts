import type { Redis } from 'ioredis';
import { z } from 'zod';
import { userErrorCodes } from '../../shared/errors.js';
import { outputFormats } from '../../shared/queue/contracts.js';
import type { WebEvents } from './web-events.js';

/** What the playground shows of one request; replaced as it moves on, and sent to the page on each change. */
export const requestViewSchema = z.object({
  requestId: z.string(),
  /** The visitor (cookie) who sent it: only they see it. */
  visitorId: z.string(),
  state: z.enum(['queued', 'running', 'done', 'failed']),
  /** The status line, as the chat bots word it. */
  text: z.string(),
  percent: z.number().optional(),
  /** Done: shown with the result. */
  caption: z.string().optional(),
  format: z.enum(outputFormats).optional(),
  /** Failed: the UserError code. */
  code: z.enum(userErrorCodes).optional(),
});
export type RequestView = z.infer<typeof requestViewSchema>;

/**
 * The web platform's side of its requests, in Redis (so that an answer delivered by any
 * instance, or while the page was closed, is there when the page asks): each request's view
 * and its result image, kept as long as the bot core keeps its blobs. Every change is
 * published to the request's topic.
 */
export class WebRequests {
  constructor(
    private readonly redis: Redis,
    private readonly events: WebEvents,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async get(requestId: string): Promise<RequestView | undefined> {
    const text = await this.redis.get(this.viewKey(requestId));
    const parsed = text === null ? undefined : requestViewSchema.safeParse(JSON.parse(text));
    return parsed?.success ? parsed.data : undefined;
  }

  /** The view, when the request exists and is the visitor's. */
  async getFor(visitorId: string, requestId: string): Promise<RequestView | undefined> {
    const view = await this.get(requestId);
    return view?.visitorId === visitorId ? view : undefined;
  }

  async put(view: RequestView, result?: Buffer): Promise<void> {
    const multi = this.redis.multi().set(this.viewKey(view.requestId), JSON.stringify(view), 'EX', this.ttlSeconds);
    if (result) multi.set(this.resultKey(view.requestId), result, 'EX', this.ttlSeconds);
    await multi.exec();
    await this.events.publish(topic(view.requestId), view);
  }

  result(requestId: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.resultKey(requestId));
  }

  /** Calls `listener` with each new view of the request. */
  watch(requestId: string, listener: (view: RequestView) => void): () => void {
    return this.events.subscribe(topic(requestId), (message) => {
      const view = requestViewSchema.safeParse(message);
      if (view.success) listener(view.data);
    });
  }

  private viewKey(requestId: string): string {
    return `${this.prefix}:web:request:${requestId}`;
  }

  private resultKey(requestId: string): string {
    return `${this.prefix}:web:result:${requestId}`;
  }
}

function topic(requestId: string): string {
  return `request:${requestId}`;
}
