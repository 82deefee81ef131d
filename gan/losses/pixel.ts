import * as tf from '@tensorflow/tfjs';

/** Mean absolute difference (PyTorch `nn.L1Loss()`, reduction mean). */
export function l1Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))));
}

/** Mean squared difference (PyTorch `nn.MSELoss()`, reduction mean). */
export function l2Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)));
}
