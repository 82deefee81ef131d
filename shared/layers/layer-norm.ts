import * as tf from '@tensorflow/tfjs';
import { InstanceNorm, type InstanceNormArgs } from './instance-norm.js';

/**
 * Layer normalisation of NHWC maps as AnimeGANv2 uses it (`tf.contrib.layers.layer_norm`,
 * Ba et al. 2016): statistics over H, W and C of each sample, then a learned per-channel
 * scale and shift (affine by default, as there). Unlike tfjs's `layerNormalization` (over C
 * per pixel), one mean and variance per image; unlike instance norm, channels keep their
 * relative levels, which AnimeGANv2 credits with removing instance norm's high-frequency
 * artifacts. It fixes no H or W. The weights are instance norm's; only the statistics differ.
 */
export class LayerNorm extends InstanceNorm {
  static override className = 'LayerNorm';

  constructor(args: InstanceNormArgs & { name?: string } = {}) {
    super({ ...args, affine: args.affine ?? true });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, [1, 2, 3], true);
      // (x − μ)/σ·γ + β as x·s + t with per-sample, per-channel s and t: two full-size ops
      // instead of four, which halves what the backward pass keeps of each norm.
      let scale = tf.rsqrt(variance.add(this.epsilon));
      if (this.gamma) scale = scale.mul(this.gamma.read());
      const shift = tf.neg(mean.mul(scale));
      return x.mul(scale).add(this.beta ? shift.add(this.beta.read()) : shift);
    });
  }
}
tf.serialization.registerClass(LayerNorm);
