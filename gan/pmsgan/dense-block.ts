import * as tf from '@tensorflow/tfjs';
import { apply, conv } from './convs.js';

/**
 * The dense block of the EFF module (PMSGAN §III-A-1, "dense blocks [53]", Huang et al.
 * 2017): `layers` 3×3 conv + ReLU layers, each fed the concatenation of the block input and
 * every earlier layer's output and adding `growth` channels, then a 1×1 conv + ReLU
 * (DenseNet's transition) to `filters` channels. As in the rest of the generator there is no
 * batch normalisation (DenseNet's BN-ReLU-Conv becomes Conv-ReLU). With growth = filters/4
 * and four layers the concatenation has 3 + filters channels, the width of MIMO-UNet's
 * shallow convolution module that this block replaces.
 */
export function denseBlock(x: tf.SymbolicTensor, o: { filters: number; layers: number; name: string }): tf.SymbolicTensor {
  const growth = Math.max(1, Math.round(o.filters / 4));
  let features = x;
  for (let i = 1; i <= o.layers; i++) {
    const added = conv(features, { filters: growth, kernelSize: 3, activation: 'relu', name: `${o.name}_layer${i}` });
    features = apply(tf.layers.concatenate({ axis: -1, name: `${o.name}_concat${i}` }), [features, added]);
  }
  return conv(features, { filters: o.filters, kernelSize: 1, activation: 'relu', name: `${o.name}_transition` });
}
