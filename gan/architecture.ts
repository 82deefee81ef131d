import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import type { ImagePools } from './image-pool.js';

/** A training batch: source images `a`, target images `b`, both NHWC in [-1, 1]. */
export interface Batch {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
  /** Edge-smoothed copies of `b` (same crops), for AnimeGAN's edge-promoting loss; present when the dataset has them. */
  bEdgeSmoothed?: tf.Tensor4D;
}

/** Scalar losses of one objective; `total` is what the optimizer minimises. */
export interface Objective {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
}

/**
 * Which part of a run a step belongs to: `init`, the first `Architecture.initSteps` steps,
 * which train the generators alone (AnimeGAN's reconstruction phase), or `adversarial`.
 */
export type TrainingPhase = 'init' | 'adversarial';

/** What the training step lends an objective besides networks, batch and options. */
export interface TrainingContext {
  /** The run's pools of past fakes (size 0: none) that discriminators draw fakes through. */
  imagePools: ImagePools;
  phase: TrainingPhase;
}

export interface Networks {
  generators: Record<string, tf.LayersModel>;
  discriminators: Record<string, tf.LayersModel>;
}

/**
 * One architecture of the model zoo: how to build its networks and the losses it trains
 * with. The trainer's shared loop alternates `discriminatorObjective` and
 * `generatorObjective` steps; the worker serves `generators[served]`.
 */
export interface Architecture<Options extends Record<string, unknown> = Record<string, unknown>> {
  name: string;
  /** The paper (file in ../shared/papers or reference) and what it is. */
  paper: string;
  /** paired data (A/B aligned), unpaired (two domains), or an encoder over a pretrained generator. */
  data: 'paired' | 'unpaired';
  /** Options with the paper's defaults; parsing `{}` gives the paper's configuration. */
  options: z.ZodType<Options>;
  /** Options for a reduced size that builds and steps quickly in tests. */
  testOptions: Partial<Options>;
  /** Which generator the worker serves. */
  served: string;
  /**
   * The reference's `pool_size` for this architecture (50 for CycleGAN), the trainer's
   * default. Set only where `discriminatorObjective` draws its fakes through
   * `context.imagePools`; absent, the architecture has no image pool to size.
   */
  imagePoolSize?: number | undefined;
  /** The square input size the options imply (e.g. `imageSize`). */
  inputSize(options: Options): number;
  /**
   * Steps at the start of a run that are the `init` phase: the discriminators do not train
   * and `generatorObjective` sees `context.phase === 'init'`. Absent: none.
   */
  initSteps?(options: Options): number;
  /**
   * Each optimizer's learning rate in `phase` relative to the run's (AnimeGANv2 trains G at
   * 2e-4 in its init phase, then G at 2e-5 and D at 4e-5). Absent: the run's rate for both.
   */
  learningRateScales?(options: Options, phase: TrainingPhase): { generator: number; discriminator: number };
  /**
   * Set when the served generator is fully convolutional: it runs at any H×W that are
   * multiples of this (its total downsampling), and the worker serves it at the photo's own
   * resolution. Absent: it only runs at `inputSize` (a layer of fixed spatial size, or
   * attention whose cost grows with the square of the pixels) and is served letterboxed.
   */
  servedSizeMultiple?(options: Options): number;
  build(options: Options): Networks;
  /** Without `context` (outside the training step) the step is an adversarial one. */
  generatorObjective(nets: Networks, batch: Batch, options: Options, context?: TrainingContext): Objective;
  /** Without `context` (outside the training step) fakes go to the discriminators unpooled. */
  discriminatorObjective(nets: Networks, batch: Batch, options: Options, context?: TrainingContext): Objective;
}
