import { z } from 'zod';
import { styleName } from '../queue/contracts.js';

/** What `meta.json` beside every stored model says about it. */
export const modelMetaSchema = z.object({
  style: styleName,
  version: z.string().regex(/^[\w.-]+$/),
  architecture: z.string(),
  /** The architecture's options as built (widths, depth, ablation switches). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Square input side the generator was trained at. */
  inputSize: z.number().int().min(8),
  /**
   * Set when the generator is fully convolutional: it runs at any H×W that are multiples of
   * this, and the worker serves it at the photo's own resolution. null: only at inputSize
   * (letterboxed), as are versions saved before the field.
   */
  inputMultiple: z.number().int().positive().nullable().optional(),
  /** The value range of the generator's input and output images. */
  valueRange: z.tuple([z.number(), z.number()]).default([-1, 1]),
  createdAt: z.string(),
  metrics: z.record(z.string(), z.number()).default({}),
  /** Free-form summary of the data it was trained on (dataset name, counts, checksums). */
  data: z.record(z.string(), z.unknown()).default({}),
  /** Which metric decides promotion, and whether higher is better. */
  primaryMetric: z.object({ name: z.string(), higherIsBetter: z.boolean() }).optional(),
  status: z.enum(['candidate', 'promoted']).default('candidate'),
});
export type ModelMeta = z.infer<typeof modelMetaSchema>;
export type ModelMetaInput = z.input<typeof modelMetaSchema>;
