import { FlowProducer, Queue, QueueEvents, UnrecoverableError, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Config } from '../config.js';
import type { UserError } from '../errors.js';
import { queueNames } from './contracts.js';

export type QueueConfig = Pick<Config, 'QUEUE_PREFIX' | 'JOB_ATTEMPTS'>;

/**
 * Default options for translate jobs: transient failures retry with exponential backoff
 * (bad input never retries: the worker throws UnrecoverableError); finished jobs are kept
 * for a while for /status and debugging, then removed.
 */
export function translateJobOptions(config: QueueConfig): JobsOptions {
  return {
    attempts: config.JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 24 * 3600, count: 5000 },
  };
}

/**
 * A UserError as a job's failure: BullMQ does not retry it (the user's request would fail the
 * same way), and its failedReason reads back as the UserError (UserError.fromFailedReason).
 */
export function unrecoverable(error: UserError): UnrecoverableError {
  return Object.assign(new UnrecoverableError(error.toFailedReason()), { cause: error });
}

export function translateQueue(connection: ConnectionOptions, config: QueueConfig): Queue {
  return new Queue(queueNames.translate, { connection, prefix: config.QUEUE_PREFIX, defaultJobOptions: translateJobOptions(config) });
}

export function translateQueueEvents(connection: ConnectionOptions, config: QueueConfig): QueueEvents {
  return new QueueEvents(queueNames.translate, { connection, prefix: config.QUEUE_PREFIX });
}

export function flowProducer(connection: ConnectionOptions, config: QueueConfig): FlowProducer {
  return new FlowProducer({ connection, prefix: config.QUEUE_PREFIX });
}
