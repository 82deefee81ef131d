import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { convKernelInit } from './weight-init.js';
import { BlurUpsample } from '../../shared/layers/blur-upsample.js';

/**
 * How the U-Net generators (pix2pix, pix2pix-unetpp) upsample ×2 in their decoders:
 * - 'transpose': the papers' 4×4 stride-2 transposed convolution. Its kernel overlaps
 *   unevenly (each output pixel gets a different subset of taps by its position modulo 2),
 *   which leaves a stride-periodic checkerboard unless training cancels it (Odena, Dumoulin
 *   & Olah 2016, "Deconvolution and Checkerboard Artifacts", Distill).
 * - 'resize': their "resize-convolution": resize ×2, then a 3×3 stride-1 conv with the
 *   same channel counts, where every output pixel sees the same taps. The resize is bilinear
 *   (half-pixel centres). Odena et al. found nearest neighbour easiest to train with
 *   hyper-parameters tuned for deconvolution, but nearest 2× + 3×3 conv still gives the two
 *   pixels of each pair different mixes of their neighbours, an offset proportional to the
 *   local gradient at the stride period; bilinear reproduces a linear ramp exactly, so smooth
 *   content gets no period-2 residue at all.
 */
export const upsampleKind = z.enum(['transpose', 'resize']);
export type UpsampleKind = z.infer<typeof upsampleKind>;

/**
 * One ×2 upsampling convolution to `filters` channels. Layer names: `<name>_deconv` for
 * 'transpose' (as the shipped models have it), `<name>_resize` and `<name>_conv` for 'resize'.
 */
export function upsampleConv(kind: UpsampleKind, x: tf.SymbolicTensor, o: { filters: number; useBias: boolean; name: string }): tf.SymbolicTensor {
  const conv = { filters: o.filters, strides: 1, padding: 'same' as const, useBias: o.useBias, kernelInitializer: convKernelInit() };
  if (kind === 'transpose') {
    return tf.layers.conv2dTranspose({ ...conv, kernelSize: 4, strides: 2, name: `${o.name}_deconv` }).apply(x) as tf.SymbolicTensor;
  }
  const resized = new BlurUpsample({ edges: 'replicate', name: `${o.name}_resize` }).apply(x) as tf.SymbolicTensor;
  return tf.layers.conv2d({ ...conv, kernelSize: 3, name: `${o.name}_conv` }).apply(resized) as tf.SymbolicTensor;
}
