import * as tf from '@tensorflow/tfjs';
import { convLReLU } from './conv.js';

/**
 * LDTNet (LDSGAN §3.2): `blocks` residual blocks [25] at the bottleneck resolution, which
 * keep the number and size of the feature maps. Each block is x + lrelu(conv(lrelu(conv(x))))
 * with 3×3 convs: the ResNet basic block without batch norm, with the paper's LeakyReLU
 * after every conv.
 */
export function ldtNet(x: tf.SymbolicTensor, blocks: number): tf.SymbolicTensor {
  const filters = x.shape[3];
  if (typeof filters !== 'number') throw new Error('ldtNet needs a known channel count');
  let h = x;
  for (let b = 0; b < blocks; b++) {
    const inner = convLReLU(h, { filters, kernelSize: 3, name: `ldtnet_block${b}_conv0` });
    const outer = convLReLU(inner, { filters, kernelSize: 3, name: `ldtnet_block${b}_conv1` });
    h = tf.layers.add({ name: `ldtnet_block${b}_add` }).apply([h, outer]) as tf.SymbolicTensor;
  }
  return h;
}
