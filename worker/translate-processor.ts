import type { Job } from 'bullmq';
import type { BlobStore } from '../shared/blob/blob-store.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import { decodeImage, encodeImage, outputDimensions } from '../shared/image/codec.js';
import { SCHEMA_VERSION, translateJobSchema, type TranslateProgress, type TranslateResult } from '../shared/queue/contracts.js';
import { unrecoverable } from '../shared/queue/queues.js';
import { resolveStyle } from '../shared/styles.js';
import type { ModelCache } from './model-cache.js';
import type { BatchTicket, PredictBatcher } from './predict-batcher.js';
import { stylize } from './stylize.js';

export type TranslateSettings = Pick<Config, 'DEFAULT_STYLE' | 'MAX_INPUT_BYTES' | 'MAX_INPUT_PIXELS' | 'MAX_OUTPUT_SIDE' | 'MAX_INFERENCE_SIDE' | 'JOB_TIMEOUT_MS' | 'BLOB_TTL_S'>;

export interface TranslateDeps {
  settings: TranslateSettings;
  blobs: BlobStore;
  models: ModelCache;
  batcher: PredictBatcher;
}

/**
 * The translate job: input blob → decoded image → styled image → output blob.
 * Failures the user caused (bad image, unknown style) are UnrecoverableError carrying the
 * UserError's code and message, so BullMQ does not retry them and the bot can show them.
 * Anything else is thrown as is and retried with backoff.
 */
export async function processTranslateJob(job: Job, deps: TranslateDeps): Promise<TranslateResult> {
  const ticket = deps.batcher.ticket();
  try {
    return await translate(job, deps, ticket);
  } catch (err) {
    if (err instanceof UserError) throw unrecoverable(err);
    throw err;
  } finally {
    ticket.leave();
  }
}

async function translate(job: Job, { settings, blobs, models }: TranslateDeps, ticket: BatchTicket): Promise<TranslateResult> {
  const started = performance.now();
  const parsed = translateJobSchema.safeParse(job.data);
  if (!parsed.success) throw UserError.malformedRequest(parsed.error.issues[0]?.message ?? 'invalid');
  const data = parsed.data;
  const deadline = started + settings.JOB_TIMEOUT_MS;
  const checkDeadline = () => {
    if (performance.now() > deadline) throw UserError.timedOut(Math.round(settings.JOB_TIMEOUT_MS / 1000));
  };
  const progress = (p: TranslateProgress) => job.updateProgress(p);

  await progress({ stage: 'decoding', percent: 5 });
  const bytes = await blobs.get(data.inputBlob);
  if (!bytes) throw UserError.inputExpired();
  const decodeStart = performance.now();
  const image = await decodeImage(bytes, { maxBytes: settings.MAX_INPUT_BYTES, maxPixels: settings.MAX_INPUT_PIXELS });
  const decodeMs = performance.now() - decodeStart;
  checkDeadline();

  await progress({ stage: 'loading-model', percent: 15 });
  const { style, requestedStyle } = resolveStyle(data.style, await models.installedStyles(), settings.DEFAULT_STYLE);
  const loaded = await models.acquire(style);
  checkDeadline();

  await progress({ stage: 'running', percent: 30 });
  const output = outputDimensions(image.width, image.height, data.outputSize, settings.MAX_OUTPUT_SIDE);
  const inferenceStart = performance.now();
  const styled = await stylize(loaded, image, output, ticket, settings.MAX_INFERENCE_SIDE);
  const inferenceMs = performance.now() - inferenceStart;
  checkDeadline();

  await progress({ stage: 'encoding', percent: 90 });
  const encodeStart = performance.now();
  const encoded = await encodeImage(styled, output.width, output.height, data.outputFormat);
  const outputBlob = await blobs.put(encoded, settings.BLOB_TTL_S);
  const encodeMs = performance.now() - encodeStart;
  await progress({ stage: 'done', percent: 100 });

  return {
    v: SCHEMA_VERSION,
    outputBlob,
    style,
    requestedStyle,
    modelVersion: loaded.meta.version,
    width: output.width,
    height: output.height,
    format: data.outputFormat,
    // What ran the model (ONNX Runtime or the tfjs backend).
    backend: loaded.runtime,
    timings: {
      queueWaitMs: Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp),
      decodeMs,
      inferenceMs,
      encodeMs,
      totalMs: performance.now() - started,
    },
  };
}
