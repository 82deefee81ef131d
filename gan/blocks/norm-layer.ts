import * as tf from '@tensorflow/tfjs';
import { InstanceNorm } from '../../shared/layers/instance-norm.js';
import { normScaleInit } from './weight-init.js';

/** The normalisations of the pix2pix/CycleGAN reference (`get_norm_layer`). */
export type NormKind = 'batch' | 'instance';

/**
 * `batch`: PyTorch `BatchNorm2d(affine=True, track_running_stats=True)`. tfjs differs in its
 * defaults (momentum 0.99 meaning "keep 99 %", epsilon 1e-3); PyTorch's momentum 0.1 means
 * "take 10 % of the new batch", i.e. tfjs momentum 0.9, and its epsilon is 1e-5.
 * `instance`: `InstanceNorm2d(affine=False, track_running_stats=False)`, no weights.
 */
export function normLayer(kind: NormKind, name: string): tf.layers.Layer {
  return kind === 'batch' ? tf.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5, gammaInitializer: normScaleInit() }) : new InstanceNorm({ name, affine: false });
}

/**
 * Whether a conv followed by a norm has a bias, as the reference decides it
 * (`use_bias = norm_layer == nn.InstanceNorm2d`). The mean subtraction of either norm
 * cancels such a bias, so it only matters for matching the reference's weights and counts.
 */
export function convBiasBeforeNorm(kind: NormKind): boolean {
  return kind === 'instance';
}
