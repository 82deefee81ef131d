import * as tf from '@tensorflow/tfjs';
import { sobelLineMap } from '../losses/sobel-line-map.js';

/** Maps RGB images in [-1, 1] to line maps [N,H,W,1] in [0, 1] (1 = line). */
export type SketchExtractor = (images: tf.Tensor4D) => tf.Tensor4D;

export interface SketchLossOptions {
  /** The sketch extractor F; default {@link sobelLineMap}. */
  extractor?: SketchExtractor;
}

export interface HardSketchLossOptions extends SketchLossOptions {
  /** Line strength above which a source line counts as a line of the hard sketch. */
  threshold?: number;
}

/*
 * LDSGAN's Sketch Loss (§3.4). The text of the paper available here lost its equations; the
 * prose says both parts compare the sketch F(G(x)) of the generated image with the input's
 * sketch to keep the two visually alike "without limiting the distance" between the images
 * themselves, the soft part at the sketch's full complexity, the hard part at a reduced one.
 * Reconstructed as:
 *   Soft-Sketch  L_ss = ‖F(G(x)) − F(x)‖₁            (every line, at its strength),
 *   Hard-Sketch  L_hs = ‖F(G(x)) − 1[F(x) > τ]‖₁     (only the source's strong lines, binarised),
 * both means over pixels. The binarised target has no gradient; it only selects lines.
 */

/** Soft-Sketch Loss: mean |F(generated) − F(source)|. */
export function softSketchLoss(source: tf.Tensor4D, generated: tf.Tensor4D, options: SketchLossOptions = {}): tf.Scalar {
  const extract = options.extractor ?? sobelLineMap;
  return tf.tidy(() => tf.mean(tf.abs(extract(generated).sub(extract(source)))));
}

/** Hard-Sketch Loss: mean |F(generated) − 1[F(source) > threshold]| (threshold 0.5 by default). */
export function hardSketchLoss(source: tf.Tensor4D, generated: tf.Tensor4D, options: HardSketchLossOptions = {}): tf.Scalar {
  const extract = options.extractor ?? sobelLineMap;
  const threshold = options.threshold ?? 0.5;
  return tf.tidy(() => {
    const hardLines = tf.cast(tf.greater(extract(source), threshold), 'float32');
    return tf.mean(tf.abs(extract(generated).sub(hardLines)));
  });
}
