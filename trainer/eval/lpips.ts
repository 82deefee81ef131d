import * as tf from '@tensorflow/tfjs';
import { activeFeatureNetwork, type FeatureNetwork } from '../../gan/losses/feature-network.js';
import { lpipsLoss, type LpipsOptions } from '../../gan/losses/lpips.js';
import { checkImagePair } from './image-range.js';

export interface LpipsResult {
  metric: 'LPIPS';
  /** Which feature network measured it, and whether LPIPS's learned weights were used. */
  network: string;
  /** Mean distance over the image pairs; 0 for identical images, lower is closer. */
  value: number;
  count: number;
}

/**
 * LPIPS (Zhang et al. 2018) of image pairs as an evaluation score, through the training
 * loss' implementation (gan/losses/lpips.ts). Without `net` it is the trainer's
 * active feature network — the seeded random substitute unless pretrained weights were
 * loaded — and without `linearWeights` the uncalibrated "baseline" distance; the result's
 * `network` records both, since neither is the published LPIPS-VGG/Alex.
 */
export function lpips(a: tf.Tensor4D, b: tf.Tensor4D, options: LpipsOptions & { net?: FeatureNetwork } = {}): LpipsResult {
  checkImagePair('lpips', a, b);
  const net = options.net ?? activeFeatureNetwork();
  const distance = lpipsLoss(net, a, b, options);
  const value = distance.dataSync()[0]!;
  distance.dispose();
  const weights = options.linearWeights ? 'learned weights' : 'baseline, unit weights';
  return { metric: 'LPIPS', network: `${net.name}, ${weights}`, value, count: a.shape[0] };
}
