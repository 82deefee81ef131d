import * as tf from '@tensorflow/tfjs';
import { AtrousConv } from '../../shared/layers/atrous-conv.js';
import { channelAttention } from './channel-attention.js';
import { apply, conv } from './convs.js';
import { resizeStage } from './resize-stage.js';

export interface CrossStageAtrousPyramidOptions {
  /** The stage (1-based) whose decoder receives the result. */
  stage: number;
  filters: number;
  /** Dilation rate of the branch of each source stage (index 0 = stage 1); the current stage's is unused. */
  rates: readonly number[];
  channelReduction: number;
  name: string;
}

/**
 * CSASP (PMSGAN §III-A-2, Fig. 4) of one stage: every stage's encoding E_i^out is resized to
 * this stage's resolution and gets its own branch — a 1×1 conv for the current stage, a 3×3
 * atrous conv for the others, with a low rate for finer (texture) stages and a high rate for
 * coarser (structure) stages. Each branch maps to `filters` channels with ReLU (ASPP's
 * conv-ReLU; no BN, as the rest of the generator). The branches are concatenated, reweighted
 * by channel attention and reduced back to `filters` channels by a 1×1 conv.
 */
export function crossStageAtrousPyramid(encodings: readonly tf.SymbolicTensor[], o: CrossStageAtrousPyramidOptions): tf.SymbolicTensor {
  const branches = encodings.map((encoding, index) => {
    const source = index + 1;
    const name = `${o.name}_from${source}`;
    if (source === o.stage) return conv(encoding, { filters: o.filters, kernelSize: 1, activation: 'relu', name });
    const resized = resizeStage(encoding, source, o.stage, `${name}_resize`);
    const rate = o.rates[index];
    if (rate === undefined) throw new Error(`CSASP: no atrous rate for stage ${source}`);
    const atrous = apply(new AtrousConv({ filters: o.filters, kernelSize: 3, rate, name }), resized);
    return apply(tf.layers.reLU({ name: `${name}_relu` }), atrous);
  });
  const concatenated = apply(tf.layers.concatenate({ axis: -1, name: `${o.name}_concat` }), branches);
  const attended = channelAttention(concatenated, { reduction: o.channelReduction, name: `${o.name}_ca` });
  return conv(attended, { filters: o.filters, kernelSize: 1, name: `${o.name}_reduce` });
}
