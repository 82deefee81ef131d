import type * as tf from '@tensorflow/tfjs';
import { conv } from './convs.js';
import { denseBlock } from './dense-block.js';
import { featureAttention } from './feature-attention.js';

/**
 * EFF (PMSGAN §III-A-1, Fig. 3): fuses the previous (twice finer) stage's encoding
 * E_{j−1}^out into stage j before its encoder. The low-resolution input x^j goes through a
 * dense block; E_{j−1}^out through a stride-2 3×3 conv (+ ReLU, MIMO-UNet's `BasicConv`) to
 * stage j's size and width; feature attention then weights the downsampled encoding by the
 * dense feature and adds the 3×3-conv'd product to it.
 */
export function encodedFeatureFusion(previousEncoding: tf.SymbolicTensor, input: tf.SymbolicTensor, o: { filters: number; denseLayers: number; name: string }): tf.SymbolicTensor {
  const dense = denseBlock(input, { filters: o.filters, layers: o.denseLayers, name: `${o.name}_dense` });
  const downsampled = conv(previousEncoding, { filters: o.filters, kernelSize: 3, strides: 2, activation: 'relu', name: `${o.name}_down` });
  return featureAttention(downsampled, dense, o.filters, `${o.name}_fa`);
}
