/**
 * Child process of test/tf/wasm-threads.test.ts: starts the runtime on wasm with TF_THREADS
 * from the environment, runs a fixed convolution and a transposed convolution, and prints the
 * runtime and the results as JSON. The backend is chosen once per process, hence a child.
 */
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../../shared/config.js';
import { initTf } from '../../shared/tf/runtime.js';

const runtime = await initTf(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TF_BACKEND: 'wasm', TF_THREADS: process.env.TF_THREADS }));
const values = tf.tidy(() => {
  const ramp = (shape: number[]) =>
    tf
      .linspace(
        -1,
        1,
        shape.reduce((a, b) => a * b, 1),
      )
      .reshape(shape);
  const x = ramp([2, 24, 24, 16]) as tf.Tensor4D;
  const conv = tf.conv2d(x, ramp([3, 3, 16, 32]).sin() as tf.Tensor4D, 2, 'same');
  const up = tf.conv2dTranspose(conv, ramp([4, 4, 8, 32]).cos() as tf.Tensor4D, [2, 24, 24, 8], 2, 'same');
  return up.dataSync();
});
console.log(JSON.stringify({ backend: runtime.backend, threads: runtime.threads, description: runtime.description, values: Array.from(values) }));
