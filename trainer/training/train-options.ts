import { z } from 'zod';
import type { Architecture } from '../../gan/architecture.js';

/**
 * Training options, named as the pix2pix/CycleGAN reference toolkit names them
 * (options/train_options.py, base_options.py). Architecture-specific options (ngf, norm,
 * lambdas, …) go in `arch`, by the architecture's own option names; `gan_mode` and
 * `crop_size` also set the architecture's `ganMode` and `imageSize`.
 */
export const trainOptionsSchema = z.object({
  gan_mode: z.enum(['vanilla', 'lsgan', 'wgangp']).optional(),
  lr: z.number().positive().default(0.0002),
  beta1: z.number().min(0).max(1).default(0.5),
  lr_policy: z.enum(['linear', 'step', 'cosine']).default('linear'),
  lr_decay_iters: z.number().int().positive().default(50),
  n_epochs: z.number().int().min(0).default(100),
  n_epochs_decay: z.number().int().min(0).default(100),
  batch_size: z.number().int().min(1).default(1),
  load_size: z.number().int().min(8).default(286),
  crop_size: z.number().int().min(8).default(256),
  preprocess: z.enum(['resize_and_crop', 'crop', 'scale_width', 'scale_width_and_crop', 'none']).default('resize_and_crop'),
  no_flip: z.boolean().default(false),
  /**
   * Past fakes the discriminators are also shown (the reference's image pool): 0 = none;
   * unset = the architecture's reference value (50 for the CycleGAN family, else 0).
   */
  pool_size: z.number().int().min(0).optional(),
  /** Stop after this many steps even if epochs remain (a compute budget); 0 = no cap. */
  max_steps: z.number().int().min(0).default(0),
  /** Save a checkpoint every this many steps. */
  checkpoint_every: z.number().int().min(1).default(100),
  /** Record averaged losses every this many steps (loss curve, progress). */
  log_every: z.number().int().min(1).default(10),
  /** Input side of the served generator when it differs from crop_size (fully convolutional models). */
  serve_size: z.number().int().min(8).optional(),
  seed: z.number().int().default(0),
  arch: z.record(z.string(), z.unknown()).default({}),
});
export type TrainOptions = z.infer<typeof trainOptionsSchema>;
export type TrainOptionsInput = z.input<typeof trainOptionsSchema>;

/**
 * Options as chat commands, job data and `--set` flags carry them: one flat map, with
 * architecture options as `arch.<name>` keys.
 */
export function trainOptionsFromFlat(flat: Record<string, unknown>): TrainOptionsInput {
  const options: Record<string, unknown> = {};
  const arch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith('arch.')) arch[key.slice('arch.'.length)] = value;
    else options[key] = value;
  }
  return { ...options, arch };
}

/**
 * The image pool size a run of `arch` uses: `pool_size` when given, else the architecture's
 * reference value. Architectures whose discriminators draw no fakes through a pool (the
 * paired ones, where the reference sets 0) only accept 0.
 */
export function poolSizeFor(arch: Pick<Architecture, 'name' | 'imagePoolSize'>, options: Pick<TrainOptions, 'pool_size'>): number {
  if (arch.imagePoolSize === undefined) {
    if (options.pool_size) throw new Error(`pool_size: ${arch.name} has no pool of past fakes; leave pool_size unset or 0`);
    return 0;
  }
  return options.pool_size ?? arch.imagePoolSize;
}
