import * as tf from '@tensorflow/tfjs';

export interface MinibatchStdDevArgs {
  /** Samples per group (StyleGAN2: 4); the largest divisor of the batch up to this is used. */
  groupSize?: number;
  /** Number of appended feature maps, each over its own slice of the channels (StyleGAN2: 1). */
  features?: number;
}

/**
 * Minibatch standard deviation (Karras et al. 2018, ProGAN §3; StyleGAN2's
 * `MinibatchStdLayer`), NHWC. Splits the batch into groups, takes each feature's standard
 * deviation over the group, averages it over the spatial axes and the channels of each of
 * `features` channel slices, and appends the result as constant feature maps, so the
 * discriminator can see how varied a batch is. Sample i belongs to group i mod (N/G), as
 * StyleGAN2's reshape to [G, N/G, ...] places it. Built from reshapes and means only, so it
 * differentiates twice (R1 penalty).
 */
export class MinibatchStdDev extends tf.layers.Layer {
  static className = 'MinibatchStdDev';
  private readonly groupSize: number;
  private readonly features: number;

  constructor(args: MinibatchStdDevArgs & { name?: string; trainable?: boolean } = {}) {
    super(args);
    this.groupSize = args.groupSize ?? 4;
    this.features = args.features ?? 1;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = s[3];
    return [s[0] ?? null, s[1] ?? null, s[2] ?? null, channels == null ? null : channels + this.features];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const [n, h, w, c] = x.shape;
    const f = this.features;
    if (c % f !== 0) throw new Error(`MinibatchStdDev: ${c} channels do not split into ${f} features`);
    let g = Math.min(this.groupSize, n);
    while (n % g !== 0) g--;
    return tf.tidy(() => {
      const grouped = x.reshape([g, n / g, h, w, f, c / f]);
      const centred = grouped.sub(tf.mean(grouped, 0, true));
      const std = tf.sqrt(tf.mean(tf.square(centred), 0).add(1e-8));
      // [N/G, F] → row i of the batch takes group i mod (N/G) (tfjs tiles rank ≤ 4 only).
      const perGroup = tf.mean(std, [1, 2, 4]).reshape([n / g, f]);
      const maps = tf.tile(tf.tile(perGroup, [g, 1]).reshape([n, 1, 1, f]), [1, h, w, 1]);
      return tf.concat([x, maps], 3);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groupSize: this.groupSize, features: this.features };
  }
}
tf.serialization.registerClass(MinibatchStdDev);
