import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BatchConstant } from '../../shared/layers/batch-constant.js';
import { CodesToBatch } from '../../shared/layers/codes-to-batch.js';
import { DynamicFusion } from '../../shared/layers/dynamic-fusion.js';
import { MinibatchStdDev } from '../../shared/layers/minibatch-stddev.js';
import { PixelNorm } from '../../shared/layers/pixel-norm.js';
import { SelectCode } from '../../shared/layers/select-code.js';

function assertClose(actual: tf.Tensor, expected: number[], tolerance = 1e-5): void {
  const values = Array.from(actual.dataSync());
  assert.equal(values.length, expected.length, `got ${values.length} values`);
  values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tolerance, `value ${i}: expected ${expected[i]}, got ${v}`));
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

before(async () => {
  await tf.setBackend('cpu');
});

describe('DynamicFusion (OME eqs. 7–10)', () => {
  // One sample, M = 2 maps of 1×1×2, folded into the batch: F_1 = (1, 2), F_2 = (3, 0).
  const maps = () => tf.tensor4d([1, 2, 3, 0], [2, 1, 1, 2]);

  it('weights each channel by a softmax across the maps of SE channel attention', () => {
    const layer = new DynamicFusion({ codes: 2, reduction: 2 });
    const input = maps();
    layer.apply(input);
    // W₀ = [[1],[0]] (2 → 1 channel), W₁ = [[1, −1]] (1 → 2 channels).
    const weights = [tf.tensor2d([[1], [0]]), tf.tensor2d([[1, -1]])];
    layer.setWeights(weights);
    tf.dispose(weights);
    // Hidden units: relu(1) = 1 for F_1, relu(3) = 3 for F_2; α_m = σ(hidden · (1, −1)).
    const alpha1 = [sigmoid(1), sigmoid(-1)];
    const alpha2 = [sigmoid(3), sigmoid(-3)];
    const beta1 = alpha1.map((a, c) => Math.exp(a) / (Math.exp(a) + Math.exp(alpha2[c]!)));
    const expected = [1 * beta1[0]! + 3 * (1 - beta1[0]!), 2 * beta1[1]! + 0 * (1 - beta1[1]!)];
    const fused = layer.apply(input) as tf.Tensor;
    assert.deepEqual(fused.shape, [1, 1, 1, 2]);
    assertClose(fused, expected);
    tf.dispose([input, fused]);
  });

  it('averages the maps statically without dynamic fusion (the ablation baseline)', () => {
    const layer = new DynamicFusion({ codes: 2, dynamic: false });
    const input = maps();
    const fused = layer.apply(input) as tf.Tensor;
    assertClose(fused, [2, 1]);
    assert.equal(layer.weights.length, 0);
    tf.dispose([input, fused]);
  });

  it('fuses the maps of each sample separately', () => {
    // Two samples, M = 2: [(1,2), (3,0)] and [(5,5), (5,5)]; static averages (2,1) and (5,5).
    const layer = new DynamicFusion({ codes: 2, dynamic: false });
    const input = tf.tensor4d([1, 2, 3, 0, 5, 5, 5, 5], [4, 1, 1, 2]);
    const fused = layer.apply(input) as tf.Tensor;
    assertClose(fused, [2, 1, 5, 5]);
    tf.dispose([input, fused]);
  });
});

describe('MinibatchStdDev', () => {
  it('appends the mean over channels of the per-group standard deviation', () => {
    // Channel 1: 1 and 3 → std 1; channel 2: 2 and 6 → std 2; mean 1.5 for both samples.
    const layer = new MinibatchStdDev({ groupSize: 4 });
    const x = tf.tensor4d([1, 2, 3, 6], [2, 1, 1, 2]);
    const y = layer.apply(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 1, 1, 3]);
    assertClose(y, [1, 2, 1.5, 3, 6, 1.5]);
    tf.dispose([x, y]);
  });

  it('puts sample i in group i mod (N / G), as StyleGAN2', () => {
    // Groups of 2 in a batch of 4: samples {0, 2} (0 and 2 → std 1) and {1, 3} (10 and 20 → std 5).
    const layer = new MinibatchStdDev({ groupSize: 2 });
    const x = tf.tensor4d([0, 10, 2, 20], [4, 1, 1, 1]);
    const y = layer.apply(x) as tf.Tensor;
    assertClose(y, [0, 1, 10, 5, 2, 1, 20, 5]);
    tf.dispose([x, y]);
  });
});

describe('small OME layers', () => {
  it('PixelNorm divides each feature vector by its root mean square', () => {
    const x = tf.tensor2d([[3, 4]]);
    const y = new PixelNorm().apply(x) as tf.Tensor;
    assertClose(y, [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)]);
    tf.dispose([x, y]);
  });

  it('BatchConstant repeats its value per sample and trains only when learned', () => {
    const fixed = new BatchConstant({ shape: [2], learned: false, initializer: 'zeros' });
    const learned = new BatchConstant({ shape: [2], learned: true, initializer: 'randomNormal' });
    const x = tf.zeros([3, 5]);
    fixed.apply(x);
    learned.apply(x);
    assert.equal(fixed.trainableWeights.length, 0);
    assert.equal(learned.trainableWeights.length, 1);
    const value = tf.tensor1d([7, -1]);
    fixed.assign(value);
    value.dispose();
    const y = fixed.apply(x) as tf.Tensor;
    assertClose(y, [7, -1, 7, -1, 7, -1]);
    tf.dispose([x, y]);
  });

  it('CodesToBatch folds codes sample-major and SelectCode picks one code', () => {
    const codes = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const folded = new CodesToBatch({}).apply(codes) as tf.Tensor;
    assert.deepEqual(folded.shape, [4, 2]);
    assertClose(folded, [1, 2, 3, 4, 5, 6, 7, 8]);
    const second = new SelectCode({ index: 1 }).apply(codes) as tf.Tensor;
    assertClose(second, [3, 4, 7, 8]);
    tf.dispose([codes, folded, second]);
  });
});
