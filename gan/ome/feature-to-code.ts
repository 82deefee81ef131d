import * as tf from '@tensorflow/tfjs';
import type { SharedLayers } from './shared-layers.js';

/**
 * F2C_m (OME Fig. 3; pSp's GradualStyleBlock): log2(H) stride-2 3×3 convs with LeakyReLU
 * (slope 0.01, PyTorch's default as in pSp) take a square feature map down to 1×1, and a
 * linear layer maps the result to one code, [N, H, H, C] → [N, codeSize].
 */
export function featureToCode(scope: SharedLayers, name: string, features: tf.SymbolicTensor, codeSize: number): tf.SymbolicTensor {
  const size = features.shape[1];
  if (typeof size !== 'number' || !Number.isInteger(Math.log2(size))) throw new Error(`featureToCode needs a power-of-two map, got ${size}`);
  let h = features;
  for (let i = 0; i < Math.log2(size); i++) {
    const conv = (n: string) => tf.layers.conv2d({ filters: codeSize, kernelSize: 3, strides: 2, padding: 'same', name: n });
    h = scope.apply(`${name}_conv${i + 1}`, conv, h);
    h = scope.apply(`${name}_lrelu${i + 1}`, (n) => tf.layers.leakyReLU({ alpha: 0.01, name: n }), h);
  }
  h = scope.apply(`${name}_flatten`, (n) => tf.layers.flatten({ name: n }), h);
  return scope.apply(`${name}_linear`, (n) => tf.layers.dense({ units: codeSize, name: n }), h);
}
