import * as tf from '@tensorflow/tfjs';

/**
 * Layer normalisation of NHWC maps as AnimeGANv2 uses it (`tf.contrib.layers.layer_norm`,
 * Ba et al. 2016): statistics over H, W and C of each sample, then a learned per-channel
 * scale and shift. Unlike tfjs's `layerNormalization` (over C per pixel), one mean and
 * variance per image; unlike instance norm, channels keep their relative levels, which
 * AnimeGANv2 credits with removing instance norm's high-frequency artifacts. It fixes no H or W.
 */
export class LayerNorm extends tf.layers.Layer {
  static className = 'LayerNorm';
  private readonly epsilon: number;
  private gamma?: tf.LayerVariable;
  private beta?: tf.LayerVariable;

  constructor(args: { epsilon?: number; name?: string } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error(`${this.name}: the channel count must be known`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, [1, 2, 3], true);
      // γ(x − μ)/σ + β as x·s + t with per-sample, per-channel s and t: two full-size ops
      // instead of four, which halves what the backward pass keeps of each norm.
      const scale = tf.rsqrt(variance.add(this.epsilon)).mul(this.gamma!.read());
      return x.mul(scale).add(this.beta!.read().sub(mean.mul(scale)));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);
