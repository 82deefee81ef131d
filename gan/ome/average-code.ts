import * as tf from '@tensorflow/tfjs';
import type { Networks } from '../architecture.js';
import { averageCodeLayer, OME_NETWORKS } from './networks.js';
import type { OmeOptions } from './options.js';

/**
 * StyleGAN2's running average of the mapped codes, w̄ ← mean_batch(f(z)) + decay·(w̄ − mean)
 * (`w_avg` in the official code, tracked during training), written into OME's average
 * codes so the pretrained model carries its own {z_m,0} (§3.2: the average style codes).
 * Only style generators have a mapping network; a top-injected generator's average code is
 * the mean of its N(0, I) latent, zero, as built (§3.3). Does nothing without offsets.
 */
export function trackAverageCode(nets: Networks, latents: tf.Tensor2D, options: OmeOptions): void {
  const mapping = nets.generators[OME_NETWORKS.mapping];
  const average = averageCodeLayer(nets);
  if (!mapping || !average) return;
  tf.tidy(() => {
    const batchMean = tf.mean(mapping.apply(latents) as tf.Tensor2D, 0);
    average.assign(batchMean.add(average.read().sub(batchMean).mul(options.averageCodeDecay)));
  });
}
