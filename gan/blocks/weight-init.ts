import * as tf from '@tensorflow/tfjs';

/**
 * The reference toolkit's `init_weights(init_type='normal', init_gain=0.02)` (junyanz
 * pytorch-CycleGAN-and-pix2pix, networks.py): conv and transposed-conv weights ~ N(0, 0.02),
 * biases 0 (tfjs' default bias initializer), BatchNorm scale ~ N(1, 0.02) and shift 0.
 */
export function convKernelInit() {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02 });
}

export function normScaleInit() {
  return tf.initializers.randomNormal({ mean: 1, stddev: 0.02 });
}
