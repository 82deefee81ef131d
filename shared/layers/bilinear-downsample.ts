import * as tf from '@tensorflow/tfjs';

export interface BilinearDownsampleArgs {
  /** Integer factor dividing H and W. */
  factor: number;
}

/**
 * Bilinear downsampling of NHWC maps by an integer factor f, as PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False)` computes it: output pixel i samples
 * the input at f·i + (f−1)/2, i.e. the mean of the 2×2 central pixels of each f×f block for
 * even f, the central pixel for odd f. Computed as a crop and a strided mean pool, so it is
 * exact and differentiable on every backend (tfjs' ResizeBilinearGrad ignores
 * halfPixelCenters, and tf.layers.resizing aligns corners).
 */
export class BilinearDownsample extends tf.layers.Layer {
  static className = 'BilinearDownsample';
  private readonly factor: number;

  constructor(args: BilinearDownsampleArgs & { name?: string }) {
    super(args);
    if (!Number.isInteger(args.factor) || args.factor < 1) throw new Error(`BilinearDownsample: factor must be a positive integer, got ${args.factor}`);
    this.factor = args.factor;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const shrink = (d: number | null | undefined) => (d == null ? null : d / this.factor);
    return [s[0] ?? null, shrink(s[1]), shrink(s[2]), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const f = this.factor;
    if (f === 1) return tf.clone(x);
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      if (h % f !== 0 || w % f !== 0) throw new Error(`BilinearDownsample: ${h}x${w} is not divisible by ${f}`);
      // Start at the first sampled pixel, then average (even f: 2×2) or pick (odd f: 1×1)
      // the pixels at stride f.
      const taps = f % 2 === 0 ? 2 : 1;
      const offset = (f - taps) / 2;
      const cropped = tf.slice(x, [0, offset, offset, 0], [n, h - offset, w - offset, c]);
      return tf.avgPool(cropped, taps, f, 'valid');
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}
tf.serialization.registerClass(BilinearDownsample);
