import type { HandledEvents } from './handled-events.js';

/**
 * Runs the handler of each platform event (an update, an interaction) once, and counts the
 * handlers running: an event handled before (delivered again after a restart or a resumed
 * session) is skipped, and shutdown can wait for the running handlers before it closes the
 * connections they use.
 */
export class EventRunner {
  private running = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly handled: HandledEvents) {}

  async run(eventId: string, handler: () => Promise<void>): Promise<void> {
    this.running++;
    try {
      if (await this.handled.wasHandled(eventId)) return;
      await handler();
      await this.handled.markHandled(eventId);
    } finally {
      this.running--;
      if (this.running === 0) this.idle.splice(0).forEach((resolve) => resolve());
    }
  }

  /** Resolves when no handler runs, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    if (this.running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => this.idle.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
