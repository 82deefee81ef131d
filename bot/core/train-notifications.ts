import { readFile } from 'node:fs/promises';
import type { Queue, QueueEvents } from 'bullmq';
import type { Logger } from '../../shared/logger.js';
import { trainJobSchema, trainProgressSchema, trainResultSchema, type TrainJob } from '../../shared/queue/contracts.js';
import { runFailure } from '../../shared/queue/train-runs.js';
import { KeyedThrottle } from './keyed-throttle.js';
import { trainCancelledText, trainDoneText, trainFailedText, trainProgressText } from './messages.js';
import type { PlatformAdapter } from './platform-adapter.js';

interface Notice<N> {
  job: TrainJob;
  target: N;
}

/**
 * Reports admins' training and evaluation runs where they asked for them: trainers report
 * progress on the `train` queue, QueueEvents brings it here, and the notice the admin got
 * when the job was queued is edited (throttled); at the end its text says how the run went
 * (finished, failed, or cancelled by an admin) and the run's summary image is posted.
 */
export class TrainNotifications<N> {
  private readonly throttle: KeyedThrottle;
  private readonly notices = new Map<string, Promise<Notice<N> | undefined>>();

  constructor(
    private readonly events: QueueEvents,
    private readonly trainQueue: Queue,
    private readonly adapter: PlatformAdapter<unknown, N>,
    private readonly logger: Logger,
  ) {
    this.throttle = new KeyedThrottle(adapter.progressIntervalMs, (err, jobId) => logger.warn({ err, jobId }, 'editing a training notice failed'));
  }

  start(): void {
    this.events.on('progress', this.onProgress);
    this.events.on('completed', this.onCompleted);
    this.events.on('failed', this.onFailed);
  }

  close(): void {
    this.events.off('progress', this.onProgress);
    this.events.off('completed', this.onCompleted);
    this.events.off('failed', this.onFailed);
    this.throttle.close();
  }

  private readonly onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
    const progress = trainProgressSchema.safeParse(data);
    if (!progress.success) return;
    void this.noticeFor(jobId).then((notice) => {
      if (notice) this.throttle.push(jobId, () => this.adapter.editNotice(notice.target, trainProgressText(notice.job, progress.data)));
    });
  };

  private readonly onCompleted = ({ jobId }: { jobId: string }): void => {
    void this.end(jobId, async (notice) => {
      const job = await this.trainQueue.getJob(jobId);
      const result = trainResultSchema.safeParse(job?.returnvalue);
      if (!result.success) {
        await this.adapter.editNotice(notice.target, trainFailedText(notice.job, 'the trainer returned no readable result'));
        return;
      }
      const text = trainDoneText(notice.job, result.data);
      await this.adapter.editNotice(notice.target, text);
      const image = result.data.summaryImage ? await readFile(result.data.summaryImage).catch(() => undefined) : undefined;
      if (image) await this.adapter.postNoticeImage(notice.target, `${result.data.style} ${result.data.version}`, image);
    });
  };

  private readonly onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void => {
    const { cancelled, reason } = runFailure(failedReason);
    const text = cancelled ? trainCancelledText : trainFailedText;
    void this.end(jobId, (notice) => this.adapter.editNotice(notice.target, text(notice.job, reason)));
  };

  private async end(jobId: string, report: (notice: Notice<N>) => Promise<void>): Promise<void> {
    const notice = await this.noticeFor(jobId);
    this.notices.delete(jobId);
    if (!notice) return;
    await this.throttle.finish(jobId);
    await report(notice).catch((err: unknown) => this.logger.warn({ err, jobId }, 'reporting the end of a training run failed'));
  }

  /** The job and where to report, when the job was asked for on this platform. */
  private noticeFor(jobId: string): Promise<Notice<N> | undefined> {
    let notice = this.notices.get(jobId);
    if (!notice) {
      notice = this.trainQueue.getJob(jobId).then(
        (job) => {
          const data = trainJobSchema.safeParse(job?.data);
          if (!data.success || data.data.notify?.platform !== this.adapter.platform) return undefined;
          const target = this.adapter.noticeTargetSchema.safeParse(data.data.notify.target);
          return target.success ? { job: data.data, target: target.data } : undefined;
        },
        (err: unknown) => {
          this.logger.warn({ err, jobId }, 'reading a train job failed');
          return undefined;
        },
      );
      this.notices.set(jobId, notice);
    }
    return notice;
  }
}
