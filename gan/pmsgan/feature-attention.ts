import * as tf from '@tensorflow/tfjs';
import { apply, conv } from './convs.js';

/**
 * The feature attention structure of EFF and DFF (PMSGAN §III-A-1/3; MIMO-UNet's feature
 * attention module, the paper's [35]): base + conv3×3(base ⊙ guide). The element-wise
 * product lets `guide` emphasise or suppress the features of `base` per position and
 * channel; the conv turns it into complementary information added back to `base`.
 */
export function featureAttention(base: tf.SymbolicTensor, guide: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  const product = apply(tf.layers.multiply({ name: `${name}_product` }), [base, guide]);
  return apply(tf.layers.add({ name: `${name}_add` }), [base, conv(product, { filters, kernelSize: 3, name: `${name}_conv` })]);
}
