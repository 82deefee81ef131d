import * as tf from '@tensorflow/tfjs';

export interface SobelLineMapOptions {
  /** Edge magnitude (luminance units in [0,1]) is multiplied by this before the tanh. */
  gain?: number;
}

const SOBEL_X = [-1, 0, 1, -2, 0, 2, -1, 0, 1];
const SOBEL_Y = [-1, -2, -1, 0, 0, 0, 1, 2, 1];
/** ITU-R BT.601 luma weights (what PIL's `convert('L')` uses). */
const LUMA = [0.299, 0.587, 0.114];
/**
 * ε of the smoothed magnitude sqrt(gx² + gy² + ε²). On flat areas the direction of the
 * gradient of ‖∇‖ is otherwise decided by rounding noise (and differs between backends);
 * 1e-3 is a quarter of the Sobel response to a single 8-bit grey level step (4/255).
 */
export const FLAT_EPSILON = 1e-3;

/**
 * The Sobel gradient magnitude sqrt(Sobelx² + Sobely² + ε²) of the luma in [0, 1] of RGB
 * images in [-1, 1], as [N,H,W,1] maps, with reflection padding so the image border is not an
 * edge. A step of contrast c gives ≈ 4c on the two pixels beside it, a ramp of slope s per
 * pixel 8s, flat areas ε. Caller disposes.
 */
export function sobelMagnitude(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const luma = tf.sum(images.add(1).mul(0.5).mul(tf.tensor1d(LUMA)), 3, true) as tf.Tensor4D;
    const padded = tf.mirrorPad(
      luma,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      'reflect',
    );
    const gx = tf.conv2d(padded, tf.tensor4d(SOBEL_X, [3, 3, 1, 1]), 1, 'valid');
    const gy = tf.conv2d(padded, tf.tensor4d(SOBEL_Y, [3, 3, 1, 1]), 1, 'valid');
    return tf.sqrt(
      tf
        .square(gx)
        .add(tf.square(gy))
        .add(FLAT_EPSILON ** 2),
    ) as tf.Tensor4D;
  });
}

/**
 * A fixed, differentiable line extractor: the line strength of RGB images in [-1, 1] as
 * [N,H,W,1] maps in [0, 1): tanh(gain·sobelMagnitude). A step of contrast c gives
 * tanh(gain·sqrt(16c² + ε²)) ≈ tanh(4c·gain) on the two pixels beside it, flat areas
 * tanh(gain·ε) ≈ 0.
 *
 * It stands in for LDSGAN's "pretrained sketch extractor [28]" (the paper gives no weights):
 * lines of a line drawing are where luminance changes, which is what such extractors learn
 * to mark; unlike them it does not drop texture edges.
 */
export function sobelLineMap(images: tf.Tensor4D, options: SobelLineMapOptions = {}): tf.Tensor4D {
  const gain = options.gain ?? 1;
  return tf.tidy(() => tf.tanh(sobelMagnitude(images).mul(gain)) as tf.Tensor4D);
}
