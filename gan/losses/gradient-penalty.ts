import * as tf from '@tensorflow/tfjs';
import './comparison-gradients.js';

export interface GradientPenaltyOptions {
  /** Weight of the penalty; 10 as WGAN-GP (Gulrajani et al.) and StyleGAN2's default γ. */
  lambda?: number;
  /**
   * `mixed` (WGAN-GP): at random interpolates of real and fake, λ·(‖∇D‖₂ − 1)².
   * `real` (R1, Mescheder et al. 2018, as StyleGAN2 and LDSGAN use): at real images,
   * (λ/2)·‖∇D‖₂².
   */
  kind?: 'mixed' | 'real';
}

/**
 * Gradient penalty of a critic, the batch mean of a function of the per-image L2 norm of
 * ∂critic(x)/∂x (summed over the critic's outputs, as PyTorch's `grad_outputs=ones`).
 *
 * Used inside an optimizer step, minimising it needs second-order gradients: the gradient
 * of this value with respect to the critic's weights differentiates through the backward
 * pass of every layer. tfjs builds that from the registered gradients of the backward
 * kernels (Conv2DBackpropInput, Select, …) when the critic runs inside an outer
 * `tf.variableGrads`/`optimizer.minimize`, once the comparisons have (zero) gradients —
 * see ./comparison-gradients.ts. test/gan/losses.test.ts checks it on the cpu backend
 * through a conv + norm + LeakyReLU critic against finite differences.
 */
export function gradientPenalty(critic: (x: tf.Tensor4D) => tf.Tensor, real: tf.Tensor4D, fake: tf.Tensor4D, options: GradientPenaltyOptions = {}): tf.Scalar {
  const lambda = options.lambda ?? 10;
  const kind = options.kind ?? 'mixed';
  return tf.tidy(() => {
    const at = kind === 'real' ? real : interpolate(real, fake);
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor4D)))(at);
    const squaredNorm = tf.sum(tf.square(gradient), [1, 2, 3]);
    if (kind === 'real') return tf.mean(squaredNorm).mul(lambda / 2);
    // The epsilon keeps sqrt differentiable at a zero gradient (the reference adds 1e-16).
    const norm = tf.sqrt(squaredNorm.add(1e-12));
    return tf.mean(tf.square(norm.sub(1))).mul(lambda);
  }) as tf.Scalar;
}

/**
 * real·α + fake·(1 − α), one uniform α per image. tfjs has no `detach`; the fake's
 * generator weights receive no update because the discriminator step only asks for the
 * discriminators' gradients.
 */
function interpolate(real: tf.Tensor4D, fake: tf.Tensor4D): tf.Tensor4D {
  const alpha = tf.randomUniform([real.shape[0], 1, 1, 1]);
  return real.mul(alpha).add(fake.mul(tf.sub(1, alpha))) as tf.Tensor4D;
}

/**
 * Lazy regularisation (StyleGAN2, used by LDSGAN): the penalty only on every `every`-th
 * step, scaled by `every` so that its average weight is unchanged; `undefined` otherwise.
 */
export function lazyRegularization(step: number, every: number, penalty: () => tf.Scalar): tf.Scalar | undefined {
  if (!Number.isInteger(every) || every < 1) throw new Error(`lazyRegularization: every must be a positive integer, got ${every}`);
  if (step % every !== 0) return undefined;
  return tf.tidy(() => penalty().mul(every));
}
