import * as tf from '@tensorflow/tfjs';
import { checkImagePair, IMAGE_DATA_RANGE } from './image-range.js';

/**
 * Peak signal-to-noise ratio of each image pair, 10·log10(L² / MSE) in dB, the MSE taken over
 * all pixels and channels of the image; images in [-1, 1] with L = 2 (see image-range.ts),
 * so values equal those of the 0..255 convention. Identical images give Infinity. Average
 * the per-image values for a data set, as the pix2pix/CycleGAN evaluations do.
 */
export function psnr(a: tf.Tensor4D, b: tf.Tensor4D, dataRange = IMAGE_DATA_RANGE): number[] {
  checkImagePair('psnr', a, b);
  const mse = tf.tidy(() => tf.mean(tf.squaredDifference(a, b), [1, 2, 3]));
  const values = Array.from(mse.dataSync(), (m) => 10 * Math.log10((dataRange * dataRange) / m));
  mse.dispose();
  return values;
}
