import type { FastifyReply, FastifyRequest } from 'fastify';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const keepAliveMs = 20_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Called once when the page goes away (or the server closes the stream). */
  onClose(listener: () => void): void;
}

/**
 * Turns the reply into a Server-Sent Events stream (the page's EventSource reconnects by
 * itself). The reply is hijacked: Fastify no longer sends anything on it.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': stream open\n\n');
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  const closeListeners: (() => void)[] = [];
  request.raw.once('close', () => {
    clearInterval(keepAlive);
    for (const listener of closeListeners) listener();
  });
  return {
    send(event, data) {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
  };
}
