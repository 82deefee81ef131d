interface Entry {
  lastRun: number;
  timer: NodeJS.Timeout | undefined;
  next: (() => Promise<void>) | undefined;
  /** The task running now (or the last one), so that later tasks run after it. */
  running: Promise<void>;
}

/** Entries idle this long are dropped when the map is next touched. */
const idleMs = 10 * 60_000;

/**
 * Runs tasks per key at most once per interval, in order, keeping only the newest task that
 * waits: the right shape for editing a message as progress comes in (platforms rate-limit
 * edits, and only the latest text matters).
 */
export class KeyedThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown, key: string) => void,
  ) {}

  push(key: string, task: () => Promise<void>): void {
    this.dropIdle();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { lastRun: 0, timer: undefined, next: undefined, running: Promise.resolve() };
      this.entries.set(key, entry);
    }
    entry.next = task;
    if (entry.timer) return;
    const wait = Math.max(0, entry.lastRun + this.intervalMs - Date.now());
    entry.timer = setTimeout(() => this.run(key), wait);
  }

  /** Drops the key's waiting task and resolves once its running task (if any) is over. */
  async finish(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    await entry.running;
  }

  close(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  private run(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const task = entry.next;
    entry.timer = undefined;
    entry.next = undefined;
    if (!task) return;
    entry.lastRun = Date.now();
    entry.running = entry.running.then(task).catch((err: unknown) => this.onError(err, key));
  }

  private dropIdle(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (!entry.timer && now - entry.lastRun > idleMs) this.entries.delete(key);
    }
  }
}
