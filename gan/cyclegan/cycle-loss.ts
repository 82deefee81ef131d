import type * as tf from '@tensorflow/tfjs';
import { l1Loss } from '../losses/pixel.js';

/**
 * Cycle-consistency loss of one direction as CycleGAN defines it: λ·‖F(G(x)) − x‖₁ (mean),
 * e.g. `cycleLoss(realA, G_B(G_A(realA)), lambdaA)`.
 */
export function cycleLoss(real: tf.Tensor, reconstructed: tf.Tensor, lambda: number): tf.Scalar {
  const l1 = l1Loss(reconstructed, real);
  const scaled = l1.mul(lambda) as tf.Scalar;
  l1.dispose();
  return scaled;
}

/**
 * Identity loss of one generator as CycleGAN defines it: a generator fed an image that is
 * already of its output domain should return it unchanged, λ_cycle·λ_identity·‖G(y) − y‖₁.
 * The reference weighs G_A's term (G_A(real_B) vs real_B) by λ_B·λ_idt and G_B's by λ_A·λ_idt.
 */
export function identityLoss(real: tf.Tensor, mapped: tf.Tensor, lambdaCycle: number, lambdaIdentity: number): tf.Scalar {
  return cycleLoss(real, mapped, lambdaCycle * lambdaIdentity);
}
