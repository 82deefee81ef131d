import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import type { ModelAnnouncer } from '../../shared/models/model-announcer.js';
import { ModelStoreError, type ModelStore, type ModelVersionInfo } from '../../shared/models/model-store.js';
import { SCHEMA_VERSION, styleName, trainJobSchema, type Platform, type TrainJob } from '../../shared/queue/contracts.js';
import type { TrainRun, TrainRuns } from '../../shared/queue/train-runs.js';
import type { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import { knownStyles, styleNamed } from '../../shared/styles.js';
import type { InstalledStyles } from './installed-styles.js';
import { modelsText, promotedText, queueStatsText, rolledBackText, runCancelledText, runsText, trainQueuedText } from './messages.js';
import type { WaitEstimator } from './wait-estimate.js';

const trainRequestSchema = z.object({
  kind: z.enum(['train', 'eval']),
  style: styleName,
  dataset: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
});
export type TrainRequest = z.input<typeof trainRequestSchema>;

export interface StyleVersions {
  style: string;
  versions: ModelVersionInfo[];
}

const jobStates = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/**
 * What admins can do from a chat. Every action checks the caller against the platform's
 * allowlist of user ids from config (the platforms' own permission settings are not
 * trusted), so a refused caller changes nothing.
 */
export class AdminActions<N> {
  constructor(
    private readonly deps: {
      platform: Platform;
      admins: readonly string[];
      trainQueue: Queue;
      runs: TrainRuns;
      trainer: Pick<TrainerHeartbeat, 'anyAlive'>;
      translateQueue: Queue;
      store: ModelStore;
      announcer: ModelAnnouncer;
      styles: InstalledStyles;
      wait: WaitEstimator;
    },
  ) {}

  isAdmin(userId: string): boolean {
    return this.deps.admins.includes(userId);
  }

  /** Throws UserError.adminOnly for anyone outside the allowlist. */
  assertAdmin(userId: string): void {
    if (!this.isAdmin(userId)) throw UserError.adminOnly();
  }

  /**
   * Queues a training or evaluation run on the `train` queue. `announce` tells the admin it is
   * queued and returns where the trainer's progress and result are to be reported. Refused
   * (UserError) for a style the project does not know, or while no trainer is running.
   */
  async enqueueTraining(userId: string, request: TrainRequest, announce: (text: string) => Promise<N>): Promise<string> {
    this.assertAdmin(userId);
    const stored = await this.deps.store.styles();
    const style = styleNamed(request.style, stored);
    // Only styles the project knows or has models of: a typo must not start a run that trains a new style.
    if (!style) throw UserError.unknownStyle(request.style, [...new Set([...knownStyles, ...stored])].sort());
    const parsed = trainRequestSchema.safeParse({ ...request, style });
    if (!parsed.success) throw new UserError('bad_command', 'Name a style and optionally a dataset (letters, digits, ".", "_", "-").');
    if (!(await this.deps.trainer.anyAlive())) throw UserError.noTrainer();
    const target = await announce(trainQueuedText(parsed.data));
    const job: TrainJob = trainJobSchema.parse({
      v: SCHEMA_VERSION,
      ...parsed.data,
      requestedBy: `${this.deps.platform}:${userId}`,
      notify: { platform: this.deps.platform, target },
      enqueuedAt: Date.now(),
    });
    const jobId = `${job.kind}-${job.style}-${randomUUID()}`;
    await this.deps.trainQueue.add(job.kind, job, { jobId, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } });
    return jobId;
  }

  /** The training and evaluation runs: open ones, then the latest ended. */
  async runs(userId: string): Promise<TrainRun[]> {
    this.assertAdmin(userId);
    return this.deps.runs.list();
  }

  async listRuns(userId: string): Promise<string> {
    return runsText(await this.runs(userId), `${this.deps.platform}:${userId}`);
  }

  /**
   * Cancels a run: one that has not started is removed; a running one stops after its
   * current training step with its checkpoint kept (its notice then says so).
   */
  async cancelRun(userId: string, jobId: string): Promise<string> {
    this.assertAdmin(userId);
    return runCancelledText(await this.deps.runs.cancel(jobId));
  }

  /** Every style's stored versions, with their metrics and which one is current. */
  async modelVersions(userId: string): Promise<StyleVersions[]> {
    this.assertAdmin(userId);
    const { store } = this.deps;
    const styles = await store.styles();
    return Promise.all(styles.map(async (style) => ({ style, versions: await store.versions(style) })));
  }

  async models(userId: string): Promise<string> {
    return modelsText(await this.modelVersions(userId));
  }

  async promote(userId: string, style: string, version: string): Promise<string> {
    this.assertAdmin(userId);
    await this.modelStoreAction(() => this.deps.store.promote(style, version));
    await this.announce(style, version);
    return promotedText(style, version);
  }

  async rollback(userId: string, style: string): Promise<string> {
    this.assertAdmin(userId);
    const version = await this.modelStoreAction(() => this.deps.store.rollback(style));
    await this.announce(style, version);
    return rolledBackText(style, version);
  }

  async queueStats(userId: string): Promise<string> {
    this.assertAdmin(userId);
    const { translateQueue, trainQueue, wait } = this.deps;
    const [translate, train, workers, averageMs] = await Promise.all([
      translateQueue.getJobCounts(...jobStates),
      trainQueue.getJobCounts(...jobStates),
      translateQueue.getWorkersCount().catch(() => 0),
      wait.averageJobMs(),
    ]);
    return queueStatsText({ translate, train, workers, averageJobSeconds: averageMs === undefined ? undefined : averageMs / 1000 });
  }

  private async announce(style: string, version: string): Promise<void> {
    this.deps.styles.invalidate();
    await this.deps.announcer.announce({ style, version });
  }

  /** Model store refusals (no such version, nothing to roll back to) are the admin's to read. */
  private async modelStoreAction<R>(action: () => Promise<R>): Promise<R> {
    try {
      return await action();
    } catch (err) {
      if (err instanceof ModelStoreError) throw new UserError('bad_command', err.message, { cause: err });
      throw err;
    }
  }
}
