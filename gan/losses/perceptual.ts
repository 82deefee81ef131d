import * as tf from '@tensorflow/tfjs';
import type { FeatureNetwork } from './feature-network.js';
import { l1Loss, l2Loss } from './pixel.js';

export interface PerceptualLossOptions {
  /** Weight of each of `net.layers`, in order; 1 for every layer when omitted. */
  layerWeights?: readonly number[];
  /** Distance between feature maps: mean absolute (PMSGAN eq. 2, pix2pixHD) or mean squared (Johnson et al. 2016). */
  distance?: 'l1' | 'l2';
}

/**
 * Perceptual (feature reconstruction) loss, Σ_k w_k · 1/(C_k·H_k·W_k) ‖φ_k(fake) − φ_k(real)‖,
 * averaged over the batch: the distance of each layer's feature map is the mean over its
 * elements, as in PMSGAN eq. (2) and the pix2pixHD `VGGLoss`.
 */
export function perceptualLoss(net: FeatureNetwork, fake: tf.Tensor4D, real: tf.Tensor4D, options: PerceptualLossOptions = {}): tf.Scalar {
  const weights = options.layerWeights ?? net.layers.map(() => 1);
  if (weights.length !== net.layers.length) {
    throw new Error(`perceptualLoss: ${weights.length} layer weights for the ${net.layers.length} layers of ${net.name}`);
  }
  const distance = options.distance === 'l2' ? l2Loss : l1Loss;
  return tf.tidy(() => {
    const fakeFeatures = net.extract(fake);
    const realFeatures = net.extract(real);
    const terms = fakeFeatures.map((feature, k) => distance(feature, realFeatures[k]!).mul(weights[k]!));
    return tf.addN(terms) as tf.Scalar;
  });
}

/**
 * The multi-scale perceptual loss of PMSGAN eq. (2): the perceptual loss of every output
 * scale against the ground truth at that scale, summed over the scales.
 */
export function multiScalePerceptualLoss(net: FeatureNetwork, scales: readonly { fake: tf.Tensor4D; real: tf.Tensor4D }[], options: PerceptualLossOptions = {}): tf.Scalar {
  if (scales.length === 0) throw new Error('multiScalePerceptualLoss: no scales');
  return tf.tidy(() => tf.addN(scales.map(({ fake, real }) => perceptualLoss(net, fake, real, options))) as tf.Scalar);
}
