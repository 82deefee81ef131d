import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BilinearDownsample } from '../../shared/layers/bilinear-downsample.js';
import { blurUpsample2x } from '../../shared/layers/blur-upsample.js';

function assertValues(actual: tf.Tensor, expected: number[]): void {
  const got = Array.from(actual.dataSync());
  assert.equal(got.length, expected.length);
  expected.forEach((v, i) => assert.ok(Math.abs(got[i]! - v) < 1e-6, `at ${i}: expected ${v}, got ${got[i]}`));
}

test('blurUpsample2x is StyleGAN2 [1,3,3,1] upsampling (hand-computed)', () => {
  // Row [1,2] → nearest [1,1,2,2] → [1,2,1]/4 with zero padding → [0.75,1.25,1.75,1.5];
  // the height axis (1 row → 2) gives 0.75 of that on both rows.
  const y = blurUpsample2x(tf.tensor4d([1, 2], [1, 1, 2, 1]));
  assert.deepEqual(y.shape, [1, 2, 4, 1]);
  const expectedRow = [0.5625, 0.9375, 1.3125, 1.125];
  assertValues(y, [...expectedRow, ...expectedRow]);
  y.dispose();
});

test('BilinearDownsample samples like half-pixel bilinear resizing (hand-computed)', () => {
  tf.tidy(() => {
    const x = tf.range(0, 16).reshape([1, 4, 4, 1]);
    const down = (factor: number, input: tf.Tensor) => new BilinearDownsample({ factor }).apply(input) as tf.Tensor;
    // Factor 2: means of the 2×2 blocks. Factor 4: mean of the central 2×2 (5, 6, 9, 10).
    assertValues(down(2, x), [2.5, 4.5, 10.5, 12.5]);
    assertValues(down(4, x), [7.5]);
    // Odd factor: the central pixel of each block.
    assertValues(down(3, tf.range(0, 9).reshape([1, 3, 3, 1])), [4]);
    const reference = tf.image.resizeBilinear(x as tf.Tensor4D, [1, 1], false, true);
    assertValues(down(4, x), Array.from(reference.dataSync()));
    // Its gradient reaches exactly the sampled pixels, each with weight 1/4.
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(down(4, v)))(x);
    assertValues(gradient, [0, 0, 0, 0, 0, 0.25, 0.25, 0, 0, 0.25, 0.25, 0, 0, 0, 0, 0]);
    assert.throws(() => new BilinearDownsample({ factor: 0 }), /positive integer/);
  });
});
