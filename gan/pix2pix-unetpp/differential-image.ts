import * as tf from '@tensorflow/tfjs';
import { ganLoss, type GanMode } from '../losses/adversarial.js';

/**
 * The differential image of Zhao, Yu & Bian (§3.2, Fig. 5): what a translation adds to its
 * source, image − source. Under the paper's additive model x + ĝ = G(x) (Eq. 4) it is g = y − x
 * for the real target y and ĝ = G(x) − x for the generator's output. Values lie in [−2, 2].
 */
export function differentialImage(source: tf.Tensor4D, image: tf.Tensor4D): tf.Tensor4D {
  return tf.sub(image, source);
}

/**
 * One adversarial term of the differential image discriminator, Eq. (6):
 * D_differ(x, g) sees the source stacked on channels with the differential image (source
 * channels first, as the conditional PatchGAN sees [x, y]); the loss is that of its patch
 * logits against real (the target's difference, or a generator fooling it) or fake.
 */
export function differentialGanLoss(mode: GanMode, discriminator: (x: tf.Tensor4D) => tf.Tensor, source: tf.Tensor4D, image: tf.Tensor4D, targetIsReal: boolean): tf.Scalar {
  return tf.tidy(() => ganLoss(mode, discriminator(tf.concat([source, differentialImage(source, image)], 3)), targetIsReal));
}
