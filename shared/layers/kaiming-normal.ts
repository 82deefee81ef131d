import * as tf from '@tensorflow/tfjs';

/**
 * PyTorch's `nn.init.kaiming_normal_` (mode fan_in, ReLU gain): N(0, 2/fan_in), untruncated.
 * tfjs' heNormal draws from a normal truncated at 2σ, whose spread is 12 % smaller, so
 * layers that follow a Kaiming-initialised paper use this instead.
 */
export function kaimingNormal(fanIn: number): ReturnType<typeof tf.initializers.randomNormal> {
  if (!(fanIn > 0)) throw new Error(`kaimingNormal: fan-in must be positive, got ${fanIn}`);
  return tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn) });
}
