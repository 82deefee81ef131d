import * as tf from '@tensorflow/tfjs';

/**
 * 2× upsampling of NHWC maps with StyleGAN2's anti-aliasing filter: StyleGAN2 zero-stuffs
 * the input and filters with the separable FIR [1,3,3,1] (gain 4, zero padding). That is
 * exactly nearest-neighbour 2× followed by the separable blur [1,2,1]/4 with zero padding
 * (interior samples ¾·x[i] + ¼·x[i±1], border samples ¾·x[0]), which is what this computes;
 * the blur is two stride-1 2×2 mean pools, since [1,1]/2 ∗ [1,1]/2 = [1,2,1]/4.
 * Built from concat/reshape/pad/avgPool, which run and differentiate on every backend
 * (tfjs' ResizeBilinearGrad ignores halfPixelCenters and the cpu ResizeNearestNeighborGrad
 * is wrong for this case, so the resize ops would not do).
 */
export function blurUpsample2x(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    // Nearest-neighbour 2×: rows repeated, then each pixel of a row repeated.
    const rows = tf.concat([x, x], 2).reshape([n, 2 * h, w, 1, c]);
    const nearest = tf.concat([rows, rows], 3).reshape([n, 2 * h, 2 * w, c]) as tf.Tensor4D;
    const padded = tf.pad(nearest, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    return tf.avgPool(tf.avgPool(padded, 2, 1, 'valid'), 2, 1, 'valid');
  });
}

/** {@link blurUpsample2x} as a layer, for the RGB skip path of a StyleGAN2-style generator. */
export class BlurUpsample extends tf.layers.Layer {
  static className = 'BlurUpsample';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const grow = (d: number | null | undefined) => (d == null ? null : 2 * d);
    return [s[0] ?? null, grow(s[1]), grow(s[2]), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return blurUpsample2x((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D);
  }
}
tf.serialization.registerClass(BlurUpsample);
