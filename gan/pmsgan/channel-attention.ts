import * as tf from '@tensorflow/tfjs';
import { apply } from './convs.js';
import { convKernelInit } from '../blocks/weight-init.js';

/**
 * Channel attention as in squeeze-and-excitation / RCAN (Hu et al. 2018; Zhang et al. 2018):
 * global average pooling, a bottleneck of channels/reduction units with ReLU, a sigmoid gate
 * per channel, and the input scaled by it. PMSGAN's CSASP uses it "to reevaluate the
 * importance of each channel of the concatenated features" (§III-A-2) without giving the
 * reduction; RCAN's 16 is the default.
 */
export function channelAttention(x: tf.SymbolicTensor, o: { reduction: number; name: string }): tf.SymbolicTensor {
  const channels = x.shape[3];
  if (typeof channels !== 'number') throw new Error(`channelAttention needs a known channel count, got ${JSON.stringify(x.shape)}`);
  const dense = (units: number, activation: 'relu' | 'sigmoid', name: string) => tf.layers.dense({ units, activation, kernelInitializer: convKernelInit(), name });
  let gate = apply(tf.layers.globalAveragePooling2d({ name: `${o.name}_pool` }), x);
  gate = apply(dense(Math.max(1, Math.floor(channels / o.reduction)), 'relu', `${o.name}_squeeze`), gate);
  gate = apply(dense(channels, 'sigmoid', `${o.name}_excite`), gate);
  gate = apply(tf.layers.reshape({ targetShape: [1, 1, channels], name: `${o.name}_reshape` }), gate);
  return apply(tf.layers.multiply({ name: `${o.name}_scale` }), [x, gate]);
}
