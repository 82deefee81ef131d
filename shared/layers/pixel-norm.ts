import * as tf from '@tensorflow/tfjs';

/**
 * Pixelwise feature normalisation (Karras et al. 2018, ProGAN §4.2): each feature vector
 * (the last axis) is divided by its root mean square, x / sqrt(mean(x²) + ε), ε = 1e-8.
 * StyleGAN's mapping network applies the same to its input latent (`normalize_2nd_moment`).
 */
export class PixelNorm extends tf.layers.Layer {
  static className = 'PixelNorm';
  private readonly epsilon: number;

  constructor(args: { epsilon?: number; name?: string; trainable?: boolean } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-8;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => x.mul(tf.rsqrt(tf.mean(tf.square(x), -1, true).add(this.epsilon))));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(PixelNorm);
