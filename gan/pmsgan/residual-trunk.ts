import * as tf from '@tensorflow/tfjs';
import { apply, conv } from './convs.js';

/**
 * A "modified residual block" (PMSGAN §III-A-1; Nah et al. 2017 as used by MIMO-UNet):
 * x + conv3×3(ReLU(conv3×3(x))), i.e. the ResNet block without batch normalisation and
 * without the ReLU after the addition.
 */
export function modifiedResidualBlock(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  const h = conv(x, { filters, kernelSize: 3, activation: 'relu', name: `${name}_conv1` });
  return apply(tf.layers.add({ name: `${name}_add` }), [x, conv(h, { filters, kernelSize: 3, name: `${name}_conv2` })]);
}

/**
 * PMSGAN's encoder E_j and decoder D_j (§III-A): a 3×3 conv (with ReLU, as MIMO-UNet's
 * `BasicConv`) followed by `blocks` modified residual blocks; five in the paper. Neither
 * changes the resolution: each stage works at its own input's size.
 */
export function residualTrunk(x: tf.SymbolicTensor, o: { filters: number; blocks: number; name: string }): tf.SymbolicTensor {
  let h = conv(x, { filters: o.filters, kernelSize: 3, activation: 'relu', name: `${o.name}_conv` });
  for (let i = 1; i <= o.blocks; i++) h = modifiedResidualBlock(h, o.filters, `${o.name}_res${i}`);
  return h;
}
