import type { QueueEvents } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import { translateProgressSchema } from '../../shared/queue/contracts.js';
import { KeyedThrottle } from './keyed-throttle.js';
import { progressText } from './messages.js';
import type { PlatformAdapter } from './platform-adapter.js';
import type { RequestRecords } from './request-records.js';

const maxRemembered = 1000;
/** A running request whose end this bot never hears of stops showing activity after this. */
const maxActivityMs = 15 * 60_000;

/**
 * Shows running requests' progress: translate workers report progress as BullMQ job
 * progress, QueueEvents brings it to every bot, and the bot that owns the request (its
 * record is in this platform's keyspace) edits the request's status message, throttled to
 * the platform's edit rate. It needs no memory of its own, so it also follows requests
 * submitted before a restart.
 */
export class ProgressFanout<T> {
  private readonly throttle: KeyedThrottle;
  /** Targets by job id (undefined: not this platform's request), until the job ends. */
  private readonly targets = new Map<string, Promise<T | undefined>>();
  /**
   * Recently answered requests: QueueEvents may bring a job's last progress after the
   * delivery worker (on its own connection) has already answered; that must not overwrite it.
   */
  private readonly ended = new Set<string>();
  /** Timers renewing the activity indicator of running requests. */
  private readonly activity = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly events: QueueEvents,
    private readonly records: RequestRecords,
    private readonly adapter: PlatformAdapter<T, unknown>,
    private readonly logger: Logger,
  ) {
    this.throttle = new KeyedThrottle(adapter.progressIntervalMs, (err, jobId) =>
      logger.warn({ err, jobId }, 'showing progress failed'),
    );
  }

  start(): void {
    this.events.on('progress', this.onProgress);
    this.events.on('completed', this.onEnded);
    this.events.on('failed', this.onEnded);
  }

  /** Stops showing progress for a request (its answer is about to be sent) once any edit in flight is over. */
  async finish(requestId: string): Promise<void> {
    this.ended.add(requestId);
    if (this.ended.size > maxRemembered) this.ended.delete(this.ended.values().next().value as string);
    this.targets.delete(requestId);
    clearInterval(this.activity.get(requestId));
    this.activity.delete(requestId);
    await this.throttle.finish(requestId);
  }

  close(): void {
    this.events.off('progress', this.onProgress);
    this.events.off('completed', this.onEnded);
    this.events.off('failed', this.onEnded);
    this.throttle.close();
    for (const timer of this.activity.values()) clearInterval(timer);
    this.activity.clear();
  }

  private readonly onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
    const progress = translateProgressSchema.safeParse(data);
    // "done" is followed by the answer itself, which replaces the progress text.
    if (!progress.success || progress.data.stage === 'done' || this.ended.has(jobId)) return;
    void this.targetFor(jobId).then((target) => {
      if (target === undefined || !this.targets.has(jobId)) return;
      this.throttle.push(jobId, () => this.adapter.showProgress(target, { text: progressText(progress.data), progress: progress.data }));
      this.keepActive(jobId, target);
    });
  };

  /** Renews the platform's activity indicator until the request ends. */
  private keepActive(jobId: string, target: T): void {
    const { adapter } = this;
    if (!adapter.showActivity || !adapter.activityIntervalMs || this.activity.has(jobId)) return;
    const started = Date.now();
    const show = () => {
      if (Date.now() - started > maxActivityMs) {
        clearInterval(this.activity.get(jobId));
        this.activity.delete(jobId);
        return;
      }
      adapter.showActivity?.(target).catch((err: unknown) => this.logger.debug({ err, jobId }, 'showing activity failed'));
    };
    this.activity.set(jobId, setInterval(show, adapter.activityIntervalMs));
    show();
  }

  private readonly onEnded = ({ jobId }: { jobId: string }): void => {
    void this.finish(jobId);
  };

  private targetFor(jobId: string): Promise<T | undefined> {
    let target = this.targets.get(jobId);
    if (!target) {
      target = this.records.get(jobId).then(
        (record) => {
          const parsed = record ? this.adapter.targetSchema.safeParse(record.target) : undefined;
          return parsed?.success ? parsed.data : undefined;
        },
        (err: unknown) => {
          this.logger.warn({ err, jobId }, 'reading a request record failed');
          return undefined;
        },
      );
      this.targets.set(jobId, target);
    }
    return target;
  }
}
