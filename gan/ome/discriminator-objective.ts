import type * as tf from '@tensorflow/tfjs';
import type { Objective } from '../architecture.js';
import { ganLoss } from '../losses/adversarial.js';
import { gradientPenalty } from '../losses/gradient-penalty.js';
import { trainingForward } from '../training-forward.js';

/**
 * StyleGAN2's discriminator objective (Karras et al. 2020, config-e/f): the logistic loss
 * softplus(−D(real)) + softplus(D(fake)) and the R1 penalty (γ/2)·E‖∇D(real)‖², applied at
 * every step (the shared trainer has no step counter for StyleGAN2's lazy schedule).
 */
export function logisticObjective(discriminator: tf.LayersModel, real: tf.Tensor4D, fake: tf.Tensor4D, r1Gamma: number): Objective {
  const critic = (x: tf.Tensor4D) => trainingForward(discriminator, x);
  const terms: Record<string, tf.Scalar> = {
    real: ganLoss('vanilla', critic(real), true),
    fake: ganLoss('vanilla', critic(fake), false),
  };
  if (r1Gamma > 0) terms.r1 = gradientPenalty(critic, real, fake, { kind: 'real', lambda: r1Gamma });
  let total = terms.real!.add(terms.fake!) as tf.Scalar;
  if (terms.r1) total = total.add(terms.r1);
  return { total, terms };
}
