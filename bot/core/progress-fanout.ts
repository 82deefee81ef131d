import type { QueueEvents } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import { translateProgressSchema } from '../../shared/queue/contracts.js';
import type { InstalledStyles } from './installed-styles.js';
import { KeyedThrottle } from './keyed-throttle.js';
import { progressText, queuedText } from './messages.js';
import type { PlatformAdapter } from './platform-adapter.js';
import type { RequestRecords } from './request-records.js';
import type { WaitEstimator } from './wait-estimate.js';

const maxRemembered = 1000;
/** A running request whose end this bot never hears of stops showing activity after this. */
const maxActivityMs = 15 * 60_000;

/** Positions shown as each one comes; further back, a message is edited once its place moved this much (platforms limit edits per chat and per bot). */
const everyPositionUpTo = 10;
const farPositionStep = 5;

function worthShowing(shown: number | undefined, position: number): boolean {
  if (shown === undefined) return true;
  return position <= everyPositionUpTo ? position !== shown : Math.abs(shown - position) >= farPositionStep;
}

interface OwnRequest<T> {
  target: T;
  /** The style the request asked for. */
  style: string | undefined;
}

/**
 * Shows waiting requests' places and running requests' progress: translate workers report
 * progress as BullMQ job progress, QueueEvents brings it (and jobs joining and leaving the
 * wait list) to every bot, and the bot that owns the request (its record is in this
 * platform's keyspace) edits the request's status message, throttled to the platform's edit
 * rate: positions count down as the jobs ahead start. It needs no memory of its own, so it
 * also follows requests submitted before a restart.
 */
export class ProgressFanout<T> {
  private readonly throttle: KeyedThrottle;
  /** This platform's requests by job id (undefined: another platform's), until the job ends. */
  private readonly requests = new Map<string, Promise<OwnRequest<T> | undefined>>();
  /** The position each waiting request's status message shows. */
  private readonly shownPositions = new Map<string, number>();
  /** A pass over the waiting requests is running; `again`: the queue moved meanwhile. */
  private positionPass: { again: boolean } | undefined;
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
    private readonly wait: WaitEstimator,
    private readonly styles: InstalledStyles,
    private readonly logger: Logger,
  ) {
    this.throttle = new KeyedThrottle(adapter.progressIntervalMs, (err, jobId) => logger.warn({ err, jobId }, 'showing progress failed'));
  }

  start(): void {
    this.events.on('progress', this.onProgress);
    this.events.on('completed', this.onEnded);
    this.events.on('failed', this.onEnded);
    this.events.on('waiting', this.onQueueMoved);
    this.events.on('active', this.onQueueMoved);
    this.events.on('removed', this.onEnded);
    this.events.on('removed', this.onQueueMoved);
  }

  /** Stops showing progress for a request (its answer is about to be sent) once any edit in flight is over. */
  async finish(requestId: string): Promise<void> {
    this.ended.add(requestId);
    if (this.ended.size > maxRemembered) this.ended.delete(this.ended.values().next().value as string);
    this.requests.delete(requestId);
    this.shownPositions.delete(requestId);
    clearInterval(this.activity.get(requestId));
    this.activity.delete(requestId);
    await this.throttle.finish(requestId);
  }

  close(): void {
    this.events.off('progress', this.onProgress);
    this.events.off('completed', this.onEnded);
    this.events.off('failed', this.onEnded);
    this.events.off('waiting', this.onQueueMoved);
    this.events.off('active', this.onQueueMoved);
    this.events.off('removed', this.onEnded);
    this.events.off('removed', this.onQueueMoved);
    this.throttle.close();
    for (const timer of this.activity.values()) clearInterval(timer);
    this.activity.clear();
  }

  private readonly onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
    const progress = translateProgressSchema.safeParse(data);
    // "done" is followed by the answer itself, which replaces the progress text.
    if (!progress.success || progress.data.stage === 'done' || this.ended.has(jobId)) return;
    void this.requestFor(jobId).then((request) => {
      if (request === undefined || !this.requests.has(jobId)) return;
      this.shownPositions.delete(jobId);
      this.throttle.push(jobId, () => this.adapter.showProgress(request.target, { text: progressText(progress.data), progress: progress.data }));
      this.keepActive(jobId, request.target);
    });
  };

  /** A job joined or left the wait list: the places of this platform's waiting requests are shown again where they moved. */
  private readonly onQueueMoved = (): void => {
    if (this.positionPass) {
      this.positionPass.again = true;
      return;
    }
    const pass = { again: false };
    this.positionPass = pass;
    void this.showPositions()
      .catch((err: unknown) => this.logger.warn({ err }, 'showing queue positions failed'))
      .finally(() => {
        this.positionPass = undefined;
        if (pass.again) this.onQueueMoved();
      });
  };

  private async showPositions(): Promise<void> {
    const waiting = await this.wait.waitingJobs();
    await Promise.all(
      waiting.map(async (jobId, index) => {
        const request = await this.requestFor(jobId);
        if (!request || !worthShowing(this.shownPositions.get(jobId), index + 1)) return;
        // The place is read again when the edit runs (throttled): by then the job may have moved on, or started.
        this.throttle.push(jobId, async () => {
          const estimate = await this.wait.forJob(jobId);
          if (!estimate || this.ended.has(jobId) || !worthShowing(this.shownPositions.get(jobId), estimate.position)) return;
          const style = await this.styles.resolve(request.style).catch(() => undefined);
          this.shownPositions.set(jobId, estimate.position);
          await this.adapter.showProgress(request.target, { text: queuedText(estimate, style) });
        });
      }),
    );
  }

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

  /** The position a request's status message was first written with (it is announced before its job is queued). */
  noteAnnounced(requestId: string, position: number): void {
    this.shownPositions.set(requestId, position);
  }

  private requestFor(jobId: string): Promise<OwnRequest<T> | undefined> {
    let request = this.requests.get(jobId);
    if (!request) {
      request = this.records.get(jobId).then(
        (record) => {
          const parsed = record ? this.adapter.targetSchema.safeParse(record.target) : undefined;
          return parsed?.success ? { target: parsed.data, style: record?.style } : undefined;
        },
        (err: unknown) => {
          this.logger.warn({ err, jobId }, 'reading a request record failed');
          return undefined;
        },
      );
      this.requests.set(jobId, request);
    }
    return request;
  }
}
