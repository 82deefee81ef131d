import type * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';

/** A training batch: source images `a`, target images `b`, both NHWC in [-1, 1]. */
export interface Batch {
  a: tf.Tensor4D;
  b: tf.Tensor4D;
}

/** Scalar losses of one objective; `total` is what the optimizer minimises. */
export interface Objective {
  total: tf.Scalar;
  terms: Record<string, tf.Scalar>;
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
  options: z.ZodType<Options, unknown>;
  /** Options for a reduced size that builds and steps quickly in tests. */
  testOptions: Partial<Options>;
  /** Which generator the worker serves. */
  served: string;
  /** The square input size the options imply (e.g. `imageSize`). */
  inputSize(options: Options): number;
  build(options: Options): Networks;
  generatorObjective(nets: Networks, batch: Batch, options: Options): Objective;
  discriminatorObjective(nets: Networks, batch: Batch, options: Options): Objective;
}
