import * as tf from '@tensorflow/tfjs';

/**
 * Every metric in trainer/eval takes images as the networks produce them: NHWC float
 * tensors in [-1, 1].
 *
 * PSNR depends only on differences, so it is computed in that range with data range L = 2
 * and equals the 0..255 value with L = 255. SSIM is not shift-invariant (its luminance term
 * compares means to 0), so it maps images to [0, 1] (L = 1) first, which gives exactly the
 * values of the usual 8-bit convention (0..255, L = 255).
 */
export const IMAGE_DATA_RANGE = 2;

export function checkImagePair(metric: string, a: tf.Tensor4D, b: tf.Tensor4D): void {
  if (a.shape.join() !== b.shape.join()) throw new Error(`${metric}: image batches differ in shape, ${a.shape.join(',')} vs ${b.shape.join(',')}`);
  if (a.shape[0] < 1) throw new Error(`${metric}: empty batch`);
}

/** [-1, 1] → [0, 1]. */
export function toUnitRange(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => x.add(1).div(2));
}
