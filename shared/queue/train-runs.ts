import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { trainJobSchema, trainProgressSchema, trainResultSchema, type TrainJob, type TrainProgress, type TrainResult } from './contracts.js';
import type { TrainControl } from './train-control.js';

/** Job ids as the bots, the schedules and BullMQ make them. */
const runIdSchema = z.string().regex(/^[\w:.-]{1,200}$/);

const openStates = ['active', 'waiting', 'delayed'] as const;
const finishedStates = ['completed', 'failed'] as const;
export type TrainRunState = (typeof openStates)[number] | (typeof finishedStates)[number];

/** One training or evaluation run on the `train` queue, as the admin surfaces (chats, CLI) show it. */
export interface TrainRun {
  id: string;
  job: Pick<TrainJob, 'kind' | 'style' | 'dataset' | 'requestedBy'>;
  state: TrainRunState;
  /** When it was queued (waiting), started (active), is due (delayed) or ended (completed, failed), in ms. */
  at: number;
  /** Active runs: the trainer's last report. */
  progress?: TrainProgress;
  /** Completed runs: what the trainer returned. */
  result?: TrainResult;
  failure?: RunFailure;
}

/** Why a failed run ended; `cancelled` when an admin stopped it. */
export interface RunFailure {
  cancelled: boolean;
  reason: string;
}

/** Reads a train job's BullMQ failedReason (the trainer marks a cancel as a `cancelled` UserError). */
export function runFailure(failedReason: string): RunFailure {
  const userError = UserError.fromFailedReason(failedReason);
  return { cancelled: userError?.code === 'cancelled', reason: userError?.message ?? failedReason };
}

export interface CancelledRun {
  /** `removed`: it had not started and is gone; `stopping`: it stops after its current training step. */
  outcome: 'removed' | 'stopping';
  run: TrainRun;
}

/**
 * The admin's view of the `train` queue, shared by the bots and the CLI: list the runs, and
 * cancel one — a run that has not started is removed, a running one is flagged through
 * TrainControl (the trainer checkpoints and stops at its next step).
 */
export class TrainRuns {
  constructor(
    private readonly queue: Queue,
    private readonly control: TrainControl,
  ) {}

  /**
   * Runs that have not ended (running, waiting, then scheduled), then the most recently
   * ended ones, newest first; at most `limit` in all, open runs taking precedence.
   */
  async list(limit = 10): Promise<TrainRun[]> {
    const read = async (states: readonly TrainRunState[]) => {
      const lists = await Promise.all(states.map(async (state) => (await this.queue.getJobs(state, 0, limit - 1, false)).map((job) => describe(job, state))));
      return lists.flat().filter((run): run is TrainRun => run !== undefined);
    };
    const [open, finished] = await Promise.all([read(openStates), read(finishedStates)]);
    // A job that moved while the states were read shows up twice; its first sighting stays.
    const unique = new Map<string, TrainRun>();
    for (const run of [...open, ...finished.sort((a, b) => b.at - a.at)]) if (!unique.has(run.id)) unique.set(run.id, run);
    return [...unique.values()].slice(0, limit);
  }

  /** Throws a UserError for a malformed or unknown id, an ended run, a schedule's next run or a run past its training steps. */
  async cancel(jobId: string): Promise<CancelledRun> {
    if (!runIdSchema.safeParse(jobId).success) throw new UserError('bad_command', 'That is not a job id; the run list shows them.');
    const job = await this.queue.getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    const run = job && isRunState(state) ? describe(job, state) : undefined;
    if (!job || !run) throw new UserError('not_found', `There is no training or evaluation run with the job id "${jobId}".`);
    if (run.state === 'completed' || run.state === 'failed') {
      throw new UserError('not_cancellable', `The run ${jobId} has already ended (${run.failure?.cancelled ? 'cancelled' : run.state}); there is nothing to cancel.`);
    }
    if (run.state !== 'active') {
      // The next run of a retraining schedule belongs to the schedule, which TRAIN_SCHEDULE owns.
      if (job.repeatJobKey) throw new UserError('not_cancellable', `The run ${jobId} is the next one of the retraining schedule for ${run.job.style}; change TRAIN_SCHEDULE to stop it.`);
      // 0: the trainer took it meanwhile (its lock keeps it), so it is stopped like a running one.
      if ((await this.queue.remove(jobId)) === 1) return { outcome: 'removed', run };
      run.state = 'active';
    }
    if (run.job.kind === 'eval') throw new UserError('not_cancellable', `The run ${jobId} is an evaluation, which cannot be stopped once it has started; it ends on its own.`);
    const phase = run.progress?.phase;
    if (phase === 'evaluating' || phase === 'promoting' || phase === 'done') {
      throw new UserError('not_cancellable', `The run ${jobId} has finished training and is ${phase}; it ends on its own.`);
    }
    await this.control.requestCancel(jobId);
    return { outcome: 'stopping', run };
  }
}

function isRunState(state: string): state is TrainRunState {
  return (openStates as readonly string[]).includes(state) || (finishedStates as readonly string[]).includes(state);
}

/** Undefined for a job whose data is not a train job (the trainer fails those at once). */
function describe(job: Job, state: TrainRunState): TrainRun | undefined {
  const data = trainJobSchema.safeParse(job.data);
  if (!data.success || !job.id) return undefined;
  const { kind, style, dataset, requestedBy } = data.data;
  const run: TrainRun = {
    id: job.id,
    job: { kind, style, ...(dataset ? { dataset } : {}), ...(requestedBy ? { requestedBy } : {}) },
    state,
    at: {
      waiting: job.timestamp,
      active: job.processedOn ?? job.timestamp,
      delayed: job.timestamp + job.delay,
      completed: job.finishedOn ?? job.timestamp,
      failed: job.finishedOn ?? job.timestamp,
    }[state],
  };
  const progress = trainProgressSchema.safeParse(job.progress);
  if (state === 'active' && progress.success) run.progress = progress.data;
  const result = trainResultSchema.safeParse(job.returnvalue);
  if (state === 'completed' && result.success) run.result = result.data;
  if (state === 'failed') run.failure = runFailure(job.failedReason);
  return run;
}
