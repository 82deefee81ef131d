import * as tf from '@tensorflow/tfjs';
import { apply, conv } from './convs.js';
import { resizeStage } from './resize-stage.js';

/**
 * MSSA (PMSGAN §III-A-4, Fig. 6; after MPRNet's supervised attention module, the paper's
 * [39]): the three stage images D_j^out(RGB), brought to full resolution, are concatenated;
 * a 3×3 conv and a softmax over channels give per-pixel masks M ∈ R^{H×W×C} that reweight the
 * full-resolution decoding D_1^out; the result is added to D_1^out (the identity path) and a
 * final 3×3 conv (tanh, for [−1, 1]) gives the output image y^out.
 */
export function multiscaleSupervisedAttention(
  decoded: tf.SymbolicTensor,
  stageImages: readonly tf.SymbolicTensor[],
  o: { filters: number; name: string; outputName: string },
): tf.SymbolicTensor {
  const fullSize = stageImages.map((image, index) => resizeStage(image, index + 1, 1, `${o.name}_up${index + 1}`));
  const images = apply(tf.layers.concatenate({ axis: -1, name: `${o.name}_concat` }), fullSize);
  const logits = conv(images, { filters: o.filters, kernelSize: 3, name: `${o.name}_mask_conv` });
  const masks = apply(tf.layers.softmax({ axis: -1, name: `${o.name}_masks` }), logits);
  const attended = apply(tf.layers.multiply({ name: `${o.name}_reweight` }), [decoded, masks]);
  const refined = apply(tf.layers.add({ name: `${o.name}_identity` }), [decoded, attended]);
  return conv(refined, { filters: 3, kernelSize: 3, activation: 'tanh', name: o.outputName });
}
