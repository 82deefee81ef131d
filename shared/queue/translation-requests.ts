import { randomUUID } from 'node:crypto';
import type { FlowProducer, Job } from 'bullmq';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { SCHEMA_VERSION, platforms, queueNames, translateResultSchema, type Platform, type TranslateJob, type TranslateJobInput, type TranslateResult } from './contracts.js';
import { translateJobOptions, type QueueConfig } from './queues.js';

/**
 * A translation request is a BullMQ flow: a delivery job (parent, in the requesting
 * platform's deliver queue) waiting on a translate job (child). The answer therefore lives in
 * Redis, not in a bot's memory: a bot that restarts mid-job still delivers, and the delivery
 * job runs once the translation succeeded or failed for good.
 */
export const deliveryJobSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  requestId: z.string(),
  platform: z.enum(platforms),
  /** Where and how to answer; its shape belongs to the platform's bot. */
  target: z.record(z.string(), z.unknown()),
});
export type DeliveryJob = z.infer<typeof deliveryJobSchema>;

export interface SubmittedRequest {
  requestId: string;
  translateJobId: string;
  deliveryJobId: string;
}

export type TranslationRequest = Omit<TranslateJobInput, 'v' | 'requestId' | 'enqueuedAt' | 'platform'> & {
  platform: Platform;
  requestId?: string;
};

export async function submitTranslation(flow: FlowProducer, config: QueueConfig, request: TranslationRequest, target: Record<string, unknown>): Promise<SubmittedRequest> {
  const requestId = request.requestId ?? randomUUID();
  const job: TranslateJob = {
    ...request,
    outputFormat: request.outputFormat ?? 'png',
    v: SCHEMA_VERSION,
    requestId,
    enqueuedAt: Date.now(),
  };
  const delivery: DeliveryJob = { v: SCHEMA_VERSION, requestId, platform: request.platform, target };
  const deliveryJobId = `deliver-${requestId}`;
  // Job ids derive from the request id, so submitting the same request twice is a no-op.
  await flow.add({
    name: 'deliver',
    queueName: queueNames.deliver(request.platform),
    data: delivery,
    opts: {
      jobId: deliveryJobId,
      attempts: 5,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 3600, count: 1000 },
      removeOnFail: { age: 24 * 3600 },
    },
    children: [
      {
        name: 'translate',
        queueName: queueNames.translate,
        data: job,
        opts: { ...translateJobOptions(config), jobId: requestId, ignoreDependencyOnFailure: true },
      },
    ],
  });
  return { requestId, translateJobId: requestId, deliveryJobId };
}

export type TranslationOutcome = { ok: true; result: TranslateResult } | { ok: false; error: UserError };

/** What the translate child of a delivery job ended with. */
export async function translationOutcome(deliveryJob: Job): Promise<TranslationOutcome> {
  const values = Object.values(await deliveryJob.getChildrenValues<unknown>());
  const first = values[0];
  if (first !== undefined) return { ok: true, result: translateResultSchema.parse(first) };
  const failures = Object.values(await deliveryJob.getIgnoredChildrenFailures());
  const reason = failures[0];
  return { ok: false, error: UserError.fromFailedReason(reason) ?? UserError.processingFailed(reason) };
}
