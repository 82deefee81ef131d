import { z } from 'zod';

/**
 * Queue names and the shapes of the jobs that travel through them. Every job carries the
 * schema version `v`; a worker refuses versions it does not know instead of guessing.
 */
export const SCHEMA_VERSION = 1 as const;

export const queueNames = {
  translate: 'translate',
  train: 'train',
  /** Admins' additions to datasets, carried out by trainer processes (they hold DATA_DIR). */
  curate: 'curate',
  /** One delivery queue per platform: the parent of each translate job in a flow. */
  deliver: (platform: Platform) => `deliver-${platform}`,
} as const;

export const platforms = ['cli', 'telegram', 'discord', 'web'] as const;
export type Platform = (typeof platforms)[number];

export const styleName = z.string().regex(/^[a-z0-9-]{1,40}$/);
export const outputFormats = ['png', 'jpeg', 'webp'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const translateJobSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  requestId: z.string().min(1).max(128),
  /** Blob key of the uploaded image bytes. */
  inputBlob: z.string().min(1),
  /** Requested style; unset means the default style. */
  style: styleName.optional(),
  /** Longest side of the output in pixels; unset keeps the input's size up to the configured maximum. */
  outputSize: z.number().int().min(16).max(4096).optional(),
  outputFormat: z.enum(outputFormats).default('png'),
  platform: z.enum(platforms),
  /** Who asked, for per-user limits and /status; opaque to the worker. */
  userId: z.string().max(64).optional(),
  enqueuedAt: z.number().int(),
});
export type TranslateJob = z.infer<typeof translateJobSchema>;
export type TranslateJobInput = z.input<typeof translateJobSchema>;

export const timingsSchema = z.object({
  queueWaitMs: z.number(),
  decodeMs: z.number(),
  inferenceMs: z.number(),
  encodeMs: z.number(),
  totalMs: z.number(),
});
export type Timings = z.infer<typeof timingsSchema>;

export const translateResultSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  outputBlob: z.string(),
  style: styleName,
  /** Set when the requested style had no model and the default style was used instead. */
  requestedStyle: styleName.optional(),
  modelVersion: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  format: z.enum(outputFormats),
  backend: z.string(),
  timings: timingsSchema,
});
export type TranslateResult = z.infer<typeof translateResultSchema>;

/** Progress reported by translate jobs (BullMQ job.updateProgress). */
export const translateProgressSchema = z.object({
  stage: z.enum(['decoding', 'loading-model', 'running', 'encoding', 'done']),
  percent: z.number().min(0).max(100),
});
export type TranslateProgress = z.infer<typeof translateProgressSchema>;

/** Training and evaluation jobs on the `train` queue, worked by trainer processes. */
export const trainJobSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  kind: z.enum(['train', 'eval']),
  style: styleName,
  /** Architecture name from the model zoo; unset uses the style's configured one. */
  architecture: z.string().optional(),
  /** Dataset name under the data directory; unset uses the style's configured one. */
  dataset: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  /** Overrides of training options (n_epochs, lr, …) by their reference-toolkit names. */
  options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
  /** Who asked (platform:user id), for the answer and the audit log. */
  requestedBy: z.string().max(100).optional(),
  /** Where to report progress and the result; its shape belongs to the requesting bot. */
  notify: z.object({ platform: z.enum(platforms), target: z.record(z.string(), z.unknown()) }).optional(),
  enqueuedAt: z.number().int(),
});
export type TrainJob = z.infer<typeof trainJobSchema>;

export const trainProgressSchema = z.object({
  phase: z.enum(['preparing', 'training', 'evaluating', 'promoting', 'done']),
  percent: z.number().min(0).max(100),
  step: z.number().int().optional(),
  totalSteps: z.number().int().optional(),
  losses: z.record(z.string(), z.number()).optional(),
});
export type TrainProgress = z.infer<typeof trainProgressSchema>;

export const trainResultSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  runId: z.string(),
  style: styleName,
  /** The version the run produced (train) or evaluated (eval). */
  version: z.string(),
  promoted: z.boolean(),
  metrics: z.record(z.string(), z.number()),
  /** The current version's metrics on the same held-out split, when there was one. */
  currentMetrics: z.record(z.string(), z.number()).optional(),
  /** Set when the run continued from a checkpoint (after a crash or a cancel). */
  resumedFromStep: z.number().int().optional(),
  /** Path of the run's summary image (PNG) that a bot can post. */
  summaryImage: z.string().optional(),
});
export type TrainResult = z.infer<typeof trainResultSchema>;

/** A dataset's folder name under the trainer's data directory. */
export const datasetName = z.string().regex(/^[\w-][\w.-]{0,99}$/, 'a dataset name: letters, digits, ".", "_", "-"');

/**
 * An admin's addition to a dataset on the `curate` queue. The images travel as blobs (like
 * translate jobs' inputs); the trainer reads them and leaves deleting them to the bot.
 */
export const curateJobSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  dataset: datasetName,
  item: z.discriminatedUnion('kind', [
    /** One image into domain A (photos) or B (styled images) of an unaligned dataset. */
    z.object({ kind: z.literal('sample'), domain: z.enum(['A', 'B']), imageBlob: z.string().min(1) }),
    /** A photo (A) and its styled result (B), as a pair of a paired dataset. */
    z.object({ kind: z.literal('pair'), aBlob: z.string().min(1), bBlob: z.string().min(1) }),
  ]),
  /** Who asked (platform:user id), for the log. */
  requestedBy: z.string().max(100).optional(),
  enqueuedAt: z.number().int(),
});
export type CurateJob = z.infer<typeof curateJobSchema>;

export const curateResultSchema = z.object({
  v: z.literal(SCHEMA_VERSION),
  dataset: datasetName,
  /** The files written, relative to the dataset directory. */
  files: z.array(z.string()),
});
export type CurateResult = z.infer<typeof curateResultSchema>;
