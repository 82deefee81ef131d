import * as tf from '@tensorflow/tfjs';

/** Identity forward, zero gradient backward. */
const detached = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = inputs[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * The value of `x` with no gradient flowing back through it (PyTorch `.detach()`); tfjs 4.22
 * has no `tf.stopGradient`. ReStyle-style iterative training detaches each step's inputs.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return detached(x) as T;
}
