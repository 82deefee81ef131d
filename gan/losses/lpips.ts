import * as tf from '@tensorflow/tfjs';
import type { FeatureNetwork } from './feature-network.js';

export interface LpipsOptions {
  /**
   * LPIPS's learned linear layers: for each of `net.layers`, one non-negative weight per
   * channel. Omitted, every weight is 1 (Zhang et al.'s "baseline" distance, no learned
   * calibration); no calibrated weights exist for the substitute feature networks.
   */
  linearWeights?: readonly (readonly number[])[];
}

/**
 * The LPIPS distance of Zhang et al. 2018 ("The unreasonable effectiveness of deep features
 * as a perceptual metric", eq. 1), averaged over the batch, as OME's perceptual loss
 * (Guo et al. 2023, eq. 13):
 *   d(x, x₀) = Σ_l 1/(H_l W_l) Σ_{h,w} Σ_c w_{l,c} (ŷ^l_{hwc} − ŷ^l_{0,hwc})²,
 * where ŷ^l are layer l's features unit-normalised over the channels at each position
 * (the reference's `normalize_tensor`, x / (‖x‖₂ + 1e-10)). As in the reference code the
 * weights multiply the squared differences (its `lin` 1×1 convs act on `diff²`).
 */
export function lpipsLoss(net: FeatureNetwork, a: tf.Tensor4D, b: tf.Tensor4D, options: LpipsOptions = {}): tf.Scalar {
  return tf.tidy(() => lpipsTo(net, b, options)(a));
}

/**
 * The LPIPS distance to a fixed target as a function of the compared image: the target's
 * features are extracted once, for comparing several images with it (OME's N steps). The
 * features live in the enclosing scope: call it inside `tf.tidy` (or an objective).
 */
export function lpipsTo(net: FeatureNetwork, target: tf.Tensor4D, options: LpipsOptions = {}): (image: tf.Tensor4D) => tf.Scalar {
  const { linearWeights } = options;
  if (linearWeights && linearWeights.length !== net.layers.length) {
    throw new Error(`lpipsLoss: ${linearWeights.length} weight vectors for the ${net.layers.length} layers of ${net.name}`);
  }
  const targetFeatures = net.extract(target).map(unitNormalize);
  const weights = targetFeatures.map((feature, l) => {
    const layerWeights = linearWeights?.[l];
    if (!layerWeights) return undefined;
    if (layerWeights.length !== feature.shape[3]) throw new Error(`lpipsLoss: layer ${net.layers[l]} has ${feature.shape[3]} channels, ${layerWeights.length} weights`);
    return tf.tensor1d([...layerWeights]);
  });
  return (image) =>
    tf.tidy(() => {
      const perLayer = net.extract(image).map((feature, l) => {
        let squared: tf.Tensor = tf.squaredDifference(unitNormalize(feature), targetFeatures[l]!);
        const layerWeights = weights[l];
        if (layerWeights) squared = squared.mul(layerWeights);
        return tf.mean(tf.sum(squared, 3), [1, 2]);
      });
      return tf.mean(tf.addN(perLayer)) as tf.Scalar;
    });
}

/**
 * x / ‖x‖₂ over the channels. The ε sits inside the root (x / √(‖x‖² + 1e-12) rather than
 * the reference's x / (‖x‖ + 1e-10)): at an all-zero feature vector, common after ReLU, the
 * reference's form has gradient ∞·0 = NaN, this one 0; elsewhere the two agree to float32.
 */
function unitNormalize(x: tf.Tensor4D): tf.Tensor4D {
  return x.mul(tf.rsqrt(tf.sum(tf.square(x), 3, true).add(1e-12)));
}
