import * as tf from '@tensorflow/tfjs';
import { checkImagePair, toUnitRange } from './image-range.js';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

/** The normalised 11×11 Gaussian window (σ 1.5) as a row of 11 weights; the 2-D window is its outer product. */
export function ssimWindow1d(): number[] {
  const half = (SSIM_WINDOW - 1) / 2;
  const raw = Array.from({ length: SSIM_WINDOW }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * SSIM_SIGMA * SSIM_SIGMA)));
  const total = raw.reduce((s, w) => s + w, 0);
  return raw.map((w) => w / total);
}

/**
 * Mean SSIM of each image pair as Wang et al. 2004 define it (eq. 13 with the 11×11 Gaussian
 * window of σ 1.5, K1 0.01, K2 0.03, C1 = (K1·L)², C2 = (K2·L)²), with the choices of
 * scikit-image's `structural_similarity(gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False, data_range=255, channel_axis=-1)` on 8-bit images:
 * - local statistics are Gaussian-weighted population moments (σ² = E[x²] − μ²),
 * - only windows that lie wholly inside the image count (no padding), so images must be at
 *   least 11×11,
 * - each channel gets its own SSIM map; the result is the mean over positions and channels.
 * Images in [-1, 1], measured as [0, 1] with L = 1 (see image-range.ts). Unlike Wang's
 * MATLAB `ssim.m`, images are not downsampled first.
 */
export function ssim(a: tf.Tensor4D, b: tf.Tensor4D): number[] {
  checkImagePair('ssim', a, b);
  const [, height, width, channels] = a.shape;
  if (height < SSIM_WINDOW || width < SSIM_WINDOW) throw new Error(`ssim: images must be at least ${SSIM_WINDOW}×${SSIM_WINDOW}, got ${height}×${width}`);
  const c1 = SSIM_K1 ** 2;
  const c2 = SSIM_K2 ** 2;
  const perImage = tf.tidy(() => {
    const x = toUnitRange(a);
    const y = toUnitRange(b);
    const w = ssimWindow1d();
    // Separable Gaussian: a vertical then a horizontal depthwise pass, each per channel.
    const vertical = tf.tile(tf.tensor4d(w, [SSIM_WINDOW, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const horizontal = tf.tile(tf.tensor4d(w, [1, SSIM_WINDOW, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const blur = (x: tf.Tensor4D) => tf.depthwiseConv2d(tf.depthwiseConv2d(x, vertical, 1, 'valid'), horizontal, 1, 'valid');
    const muA = blur(x);
    const muB = blur(y);
    const varA = blur(tf.mul(x, x)).sub(tf.mul(muA, muA));
    const varB = blur(tf.mul(y, y)).sub(tf.mul(muB, muB));
    const covariance = blur(tf.mul(x, y)).sub(tf.mul(muA, muB));
    const luminance = muA.mul(muB).mul(2).add(c1).div(muA.square().add(muB.square()).add(c1));
    const structure = covariance.mul(2).add(c2).div(varA.add(varB).add(c2));
    return tf.mean(luminance.mul(structure), [1, 2, 3]);
  });
  const values = Array.from(perImage.dataSync());
  perImage.dispose();
  return values;
}
