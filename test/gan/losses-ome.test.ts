import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { FeatureNetwork } from '../../gan/losses/feature-network.js';
import { lpipsLoss, lpipsTo } from '../../gan/losses/lpips.js';

/** Feature "networks" whose features are the pixels themselves, so distances can be worked out by hand. */
const pixels: FeatureNetwork = { name: 'pixels', layers: ['pixels'], extract: (x) => [x.clone()] };
const pixelsTwice: FeatureNetwork = { name: 'pixels twice', layers: ['pixels', 'scaled'], extract: (x) => [x.clone(), x.mul(3)] };
const rectified: FeatureNetwork = { name: 'relu', layers: ['relu'], extract: (x) => [tf.relu(x)] };

function value(f: () => tf.Scalar): number {
  const s = tf.tidy(f);
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
}

function close(actual: number, expected: number, tolerance = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

// A 1×2 image: pixel 1 is (3,4,0) vs (0,4,3), pixel 2 is (1,0,0) in both.
const image = (p1: number[], p2: number[]) => tf.tensor4d([...p1, ...p2], [1, 1, 2, 3]);

before(async () => {
  await tf.setBackend('cpu');
});

describe('lpipsLoss (Zhang et al. 2018, eq. 1)', () => {
  it('unit-normalises channels, sums squared differences and averages over positions', () => {
    // Pixel 1: (0.6,0.8,0) vs (0,0.8,0.6) → 0.36 + 0 + 0.36 = 0.72; pixel 2: 0. Mean: 0.36.
    close(
      value(() => lpipsLoss(pixels, image([3, 4, 0], [1, 0, 0]), image([0, 4, 3], [1, 0, 0]))),
      0.36,
    );
  });

  it('weights the squared channel differences with the linear weights', () => {
    // Weights (1, 1, 0) drop channel 3: pixel 1 gives 0.36, pixel 2 gives 0. Mean: 0.18.
    const d = value(() => lpipsLoss(pixels, image([3, 4, 0], [1, 0, 0]), image([0, 4, 3], [1, 0, 0]), { linearWeights: [[1, 1, 0]] }));
    close(d, 0.18);
  });

  it('sums the layers and averages the batch', () => {
    // Both layers normalise to the same features: 2 × 0.36. The second sample is identical: batch mean 0.36.
    const a = tf.concat([image([3, 4, 0], [1, 0, 0]), image([1, 2, 3], [4, 5, 6])]) as tf.Tensor4D;
    const b = tf.concat([image([0, 4, 3], [1, 0, 0]), image([1, 2, 3], [4, 5, 6])]) as tf.Tensor4D;
    close(
      value(() => lpipsLoss(pixelsTwice, a, b)),
      0.36,
    );
    tf.dispose([a, b]);
  });

  it('ignores the length of feature vectors', () => {
    const a = image([3, 4, 0], [1, -2, 5]);
    close(
      value(() => lpipsLoss(pixels, a, a.mul(7) as tf.Tensor4D)),
      0,
    );
    a.dispose();
  });

  it('lpipsTo gives lpipsLoss for every compared image', () => {
    const target = image([0, 4, 3], [1, 0, 0]);
    const images = [image([3, 4, 0], [1, 0, 0]), image([1, 1, 1], [0, 2, 0])];
    tf.tidy(() => {
      const toTarget = lpipsTo(pixels, target);
      for (const x of images) close(toTarget(x).dataSync()[0]!, lpipsLoss(pixels, x, target).dataSync()[0]!, 1e-7);
    });
    tf.dispose([target, ...images]);
  });

  it('has a finite gradient where a feature vector is all zero', () => {
    // Pixel 2 of `a` is negative everywhere, so its ReLU features are the zero vector.
    const a = image([3, 4, 1], [-1, -2, -3]);
    const b = image([0, 4, 3], [1, 0, 0]);
    const gradient = tf.grad((x: tf.Tensor) => lpipsLoss(rectified, x as tf.Tensor4D, b))(a);
    assert.ok(Array.from(gradient.dataSync()).every(Number.isFinite));
    tf.dispose([a, b, gradient]);
  });

  it('rejects weights that do not match the layers', () => {
    const a = image([3, 4, 0], [1, 0, 0]);
    assert.throws(() => lpipsLoss(pixels, a, a, { linearWeights: [[1, 1, 1], [1]] }), /2 weight vectors for the 1 layers/);
    assert.throws(() => lpipsLoss(pixels, a, a, { linearWeights: [[1, 1]] }), /3 channels, 2 weights/);
    a.dispose();
  });
});
