import * as tf from '@tensorflow/tfjs';
import { BilinearDownsample } from '../../shared/layers/bilinear-downsample.js';
import { apply } from './convs.js';

/**
 * Resizes a map of stage `from` to the resolution of stage `to` (stage j is at 1/2^(j−1) of
 * the input). Downsampling is bilinear with PyTorch's half-pixel centres, as MIMO-UNet's
 * `F.interpolate`. Upsampling is nearest-neighbour rather than bilinear: tfjs's bilinear
 * resize gradient only supports the legacy corner-aligned sampling, which shifts the image by
 * a fraction of a pixel, while nearest ×2^k is exact and shift-free, and every upsampled map
 * here is followed by a learned 3×3 conv that can smooth it.
 */
export function resizeStage(x: tf.SymbolicTensor, from: number, to: number, name: string): tf.SymbolicTensor {
  if (from === to) return x;
  const factor = 2 ** Math.abs(from - to);
  return from < to ? apply(new BilinearDownsample({ factor, name }), x) : apply(tf.layers.upSampling2d({ size: [factor, factor], interpolation: 'nearest', name }), x);
}
