import * as tf from '@tensorflow/tfjs';

export interface InstanceNormArgs {
  /** Learn a per-channel scale and shift (PyTorch `affine`). The CycleGAN reference uses false. */
  affine?: boolean;
  epsilon?: number;
}

/**
 * Instance normalisation over H and W per sample and channel (Ulyanov et al.), NHWC.
 * Matches PyTorch `nn.InstanceNorm2d(track_running_stats=False)`: statistics are always
 * those of the current image, in training and inference alike.
 */
export class InstanceNorm extends tf.layers.Layer {
  static className = 'InstanceNorm';
  private readonly affine: boolean;
  protected readonly epsilon: number;
  protected gamma?: tf.LayerVariable;
  protected beta?: tf.LayerVariable;

  constructor(args: InstanceNormArgs & { name?: string } = {}) {
    super(args);
    this.affine = args.affine ?? false;
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (this.affine && typeof channels === 'number') {
      this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, [1, 2], true);
      let y = x.sub(mean).mul(tf.rsqrt(variance.add(this.epsilon)));
      if (this.gamma && this.beta) y = y.mul(this.gamma.read()).add(this.beta.read());
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), affine: this.affine, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(InstanceNorm);
