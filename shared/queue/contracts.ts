import { z } from 'zod';

/**
 * Queue names and the shapes of the jobs that travel through them. Every job carries the
 * schema version `v`; a worker refuses versions it does not know instead of guessing.
 */
export const SCHEMA_VERSION = 1 as const;

export const queueNames = {
  translate: 'translate',
  train: 'train',
  /** One delivery queue per platform: the parent of each translate job in a flow. */
  deliver: (platform: Platform) => `deliver-${platform}`,
} as const;

export const platforms = ['cli', 'telegram', 'discord'] as const;
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
