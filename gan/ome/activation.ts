import * as tf from '@tensorflow/tfjs';
import type { SharedLayers } from './shared-layers.js';

/**
 * StyleGAN2's activation: LeakyReLU(0.2) times √2, which keeps unit-variance activations at
 * unit variance when the preceding weights have variance 1/fan_in (`unitVarianceInit`).
 */
export function leakyReluWithGain(scope: SharedLayers, name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const activated = scope.apply(`${name}_lrelu`, (n) => tf.layers.leakyReLU({ alpha: 0.2, name: n }), x);
  return scope.apply(`${name}_gain`, (n) => tf.layers.rescaling({ scale: Math.SQRT2, name: n }), activated);
}

/**
 * Weights with variance 1/fan_in: StyleGAN2's equalised-learning-rate layers at
 * initialisation (N(0,1) scaled by 1/√fan_in), without the runtime scaling.
 */
export function unitVarianceInit(): ReturnType<typeof tf.initializers.varianceScaling> {
  return tf.initializers.varianceScaling({ scale: 1, mode: 'fanIn', distribution: 'normal' });
}
