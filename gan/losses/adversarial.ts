import * as tf from '@tensorflow/tfjs';

/**
 * The GAN objectives of the pix2pix/CycleGAN reference (`GANLoss` in junyanz
 * pytorch-CycleGAN-and-pix2pix, models/networks.py):
 * - `vanilla`: binary cross-entropy on logits against 1 (real) or 0 (fake),
 * - `lsgan`: mean squared error against 1 or 0,
 * - `wgangp`: the critic's mean score, negated for real (−mean(pred) real, mean(pred) fake).
 */
export type GanMode = 'vanilla' | 'lsgan' | 'wgangp';

/** The loss of a discriminator `prediction` (logits or scores) when its target is real or fake. */
export function ganLoss(mode: GanMode, prediction: tf.Tensor, targetIsReal: boolean): tf.Scalar {
  return tf.tidy(() => {
    switch (mode) {
      case 'vanilla':
        return bceWithLogits(prediction, targetIsReal ? 1 : 0);
      case 'lsgan':
        return tf.mean(tf.squaredDifference(prediction, tf.scalar(targetIsReal ? 1 : 0)));
      case 'wgangp':
        return targetIsReal ? tf.neg(tf.mean(prediction)) : tf.mean(prediction);
    }
  }) as tf.Scalar;
}

/**
 * Mean of PyTorch `BCEWithLogitsLoss` against a constant target, in its numerically stable
 * form max(x, 0) − x·t + log(1 + e^−|x|).
 */
function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  const perElement = tf
    .relu(logits)
    .sub(logits.mul(target))
    .add(tf.softplus(tf.neg(tf.abs(logits))));
  return tf.mean(perElement);
}
