import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { BlobStore } from '../../shared/blob/blob-store.js';
import { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { queueNames, type Platform } from '../../shared/queue/contracts.js';
import { routeRedisErrors } from '../../shared/queue/redis.js';
import { deliveryJobSchema, translationOutcome, type TranslationOutcome } from '../../shared/queue/translation-requests.js';
import type { AnswerClaims } from './answer-claims.js';
import { failureAnswer, resultAnswer } from './answers.js';
import type { InstalledStyles } from './installed-styles.js';
import type { PendingRequests } from './pending-requests.js';
import { UndeliverableError, type Answer, type PlatformAdapter } from './platform-adapter.js';
import type { ProgressFanout } from './progress-fanout.js';
import type { RequestRecords } from './request-records.js';
import type { WaitEstimator } from './wait-estimate.js';

export interface DeliveryDeps<T> {
  platform: Platform;
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  adapter: PlatformAdapter<T, unknown>;
  claims: AnswerClaims;
  records: RequestRecords;
  pending: PendingRequests;
  blobs: BlobStore;
  styles: InstalledStyles;
  wait: WaitEstimator;
  progress: ProgressFanout<T>;
  logger: Logger;
}

/** The id submitTranslation gives a request's delivery job. */
export function deliveryJobId(requestId: string): string {
  return `deliver-${requestId}`;
}

/** How long a delivery waits when another one is sending the same answer. */
const busyRetryMs = 10_000;

/**
 * Works the platform's delivery queue: each job is the parent of a finished translate job
 * (succeeded or failed for good) and sends its one answer through the adapter. The answer
 * claim makes the send happen once even when the job runs twice (a bot that died mid-send,
 * a stalled job); the result blob is deleted once sent.
 */
export function startDeliveryWorker<T>(deps: DeliveryDeps<T>): Worker {
  const worker = new Worker(queueNames.deliver(deps.platform), (job, token) => deliver(deps, job, token), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
  });
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, reason: err.message }, 'delivery failed'));
  return routeRedisErrors(worker, (err) => deps.logger.error({ err }, 'delivery worker error'));
}

async function deliver<T>(deps: DeliveryDeps<T>, job: Job, token: string | undefined): Promise<'sent' | 'already-answered'> {
  const data = deliveryJobSchema.safeParse(job.data);
  if (!data.success) throw new UnrecoverableError(`malformed delivery job: ${data.error.issues[0]?.message ?? 'invalid'}`);
  const { requestId } = data.data;
  const target = deps.adapter.targetSchema.safeParse(data.data.target);
  if (!target.success) throw new UnrecoverableError(`delivery target not understood: ${target.error.issues[0]?.message ?? 'invalid'}`);
  await deps.progress.finish(requestId);
  const outcome = await translationOutcome(job);
  const record = await deps.records.get(requestId);

  const claim = await deps.claims.claimForSending(requestId);
  if (claim.kind === 'busy') {
    await job.moveToDelayed(Date.now() + busyRetryMs, token);
    throw new DelayedError();
  }
  if (claim.kind === 'answered') {
    await cleanUp(deps, outcome, record?.userId, requestId);
    return 'already-answered';
  }

  try {
    await deps.adapter.deliver(target.data, await answerFor(deps, requestId, outcome));
  } catch (err) {
    await deps.claims.release(requestId, claim.token);
    if (!(err instanceof UndeliverableError)) throw err;
    await cleanUp(deps, outcome, record?.userId, requestId);
    throw Object.assign(new UnrecoverableError(err.message), { cause: err });
  }
  await deps.claims.markSent(requestId);
  await cleanUp(deps, outcome, record?.userId, requestId);
  if (outcome.ok) await deps.wait.recordJobDuration(outcome.result.timings.totalMs);
  return 'sent';
}

async function answerFor<T>(deps: DeliveryDeps<T>, requestId: string, outcome: TranslationOutcome): Promise<Answer> {
  if (!outcome.ok) return failureAnswer(requestId, outcome.error);
  const image = await deps.blobs.get(outcome.result.outputBlob);
  if (!image) return failureAnswer(requestId, UserError.resultExpired());
  return resultAnswer(requestId, outcome.result, image, await deps.styles.list());
}

/** After the answer (or its withdrawal): the result blob goes, the request stops counting as pending. */
async function cleanUp<T>(deps: DeliveryDeps<T>, outcome: TranslationOutcome, userId: string | undefined, requestId: string): Promise<void> {
  if (outcome.ok) await deps.blobs.delete(outcome.result.outputBlob);
  if (userId !== undefined) await deps.pending.remove(userId, requestId);
}
