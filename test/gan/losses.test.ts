import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ganLoss } from '../../gan/losses/adversarial.js';
import { cycleLoss, identityLoss } from '../../gan/cyclegan/cycle-loss.js';
import { gradientPenalty, lazyRegularization } from '../../gan/losses/gradient-penalty.js';
import { l1Loss, l2Loss } from '../../gan/losses/pixel.js';
import { InstanceNorm } from '../../shared/layers/instance-norm.js';

function value(f: () => tf.Scalar): number {
  const s = tf.tidy(f);
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
}

function close(actual: number, expected: number, tolerance = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('ganLoss', () => {
  const pred = (values: number[]) => tf.tensor4d(values, [1, 1, values.length, 1]);

  it('vanilla is the mean binary cross-entropy of logits', () => {
    // log(1 + e^0) = 0.693147, log(1 + e^-2) = 0.126928, log(1 + e^2) = 2.126928
    close(
      value(() => ganLoss('vanilla', pred([0, 2]), true)),
      (0.693147 + 0.126928) / 2,
    );
    close(
      value(() => ganLoss('vanilla', pred([0, 2]), false)),
      (0.693147 + 2.126928) / 2,
    );
  });

  it('vanilla stays finite for confident wrong logits', () => {
    close(
      value(() => ganLoss('vanilla', pred([-100]), true)),
      100,
    );
    close(
      value(() => ganLoss('vanilla', pred([100]), false)),
      100,
    );
  });

  it('lsgan is the mean squared distance to 1 (real) or 0 (fake)', () => {
    close(
      value(() => ganLoss('lsgan', pred([0.5, 2]), true)),
      (0.25 + 1) / 2,
    );
    close(
      value(() => ganLoss('lsgan', pred([0.5, 2]), false)),
      (0.25 + 4) / 2,
    );
  });

  it('wgangp is minus the mean score for real and the mean score for fake', () => {
    close(
      value(() => ganLoss('wgangp', pred([1, 3]), true)),
      -2,
    );
    close(
      value(() => ganLoss('wgangp', pred([1, 3]), false)),
      2,
    );
  });
});

describe('pixel losses', () => {
  it('l1Loss and l2Loss are means over all elements', () => {
    const a = () => tf.tensor([1, 2, 3]);
    const b = () => tf.tensor([2, 0, 3]);
    close(
      value(() => l1Loss(a(), b())),
      1,
    );
    close(
      value(() => l2Loss(a(), b())),
      5 / 3,
    );
  });
});

describe('cycle losses', () => {
  it('cycleLoss weighs the mean L1 reconstruction error by lambda', () => {
    close(
      value(() => cycleLoss(tf.zeros([2]), tf.tensor([1, -3]), 10)),
      20,
    );
  });

  it('identityLoss weighs it by lambda_cycle * lambda_identity', () => {
    close(
      value(() => identityLoss(tf.zeros([2]), tf.tensor([1, -3]), 10, 0.5)),
      10,
    );
  });
});

describe('gradientPenalty', () => {
  const images = () => tf.tensor4d([3, 4, 0, 1], [2, 1, 1, 2]);

  it('mixed: lambda * (||grad|| - 1)^2 of a linear critic, whatever the interpolation', () => {
    // D(x) = 3·x0 + 4·x1 has gradient (3, 4), norm 5, at every point.
    const linear = (x: tf.Tensor4D) => tf.sum(x.mul(tf.tensor1d([3, 4])), [1, 2, 3]);
    close(
      value(() => gradientPenalty(linear, images(), tf.zeros([2, 1, 1, 2]))),
      10 * 16,
      1e-4,
    );
    close(
      value(() => gradientPenalty(linear, images(), tf.zeros([2, 1, 1, 2]), { lambda: 1 })),
      16,
      1e-4,
    );
  });

  it('real (R1): lambda / 2 * mean ||grad||^2 at the real images', () => {
    // D(x) = |x|²/2 has gradient x: norms² 25 and 1 for the two images.
    const quadratic = (x: tf.Tensor4D) => tf.sum(tf.square(x), [1, 2, 3]).div(2);
    close(
      value(() => gradientPenalty(quadratic, images(), tf.zeros([2, 1, 1, 2]), { kind: 'real' })),
      5 * 13,
      1e-4,
    );
  });

  it('can be minimised: its weight gradient through conv, norm and LeakyReLU matches finite differences', () => {
    const input = tf.input({ shape: [6, 6, 2] });
    const h1 = tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const h2 = new InstanceNorm({ affine: true }).apply(h1) as tf.SymbolicTensor;
    const h3 = tf.layers.leakyReLU({ alpha: 0.2 }).apply(h2) as tf.SymbolicTensor;
    const out = tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same' }).apply(h3) as tf.SymbolicTensor;
    const critic = tf.model({ inputs: input, outputs: out });
    // Seeded weights: with random ones the check could land next to a LeakyReLU kink.
    tf.tidy(() => critic.setWeights(critic.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i))));
    const real = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 7) as tf.Tensor4D;
    const penalty = () => gradientPenalty((x) => critic.apply(x) as tf.Tensor, real, real, { kind: 'real' });
    const kernel = critic.layers[1]!.trainableWeights[0]!.read() as tf.Variable;
    const original = kernel.clone();
    const { grads, value: v } = tf.variableGrads(penalty, [kernel]);
    const analytic = Object.values(grads)[0]!.flatten().arraySync();

    const eps = 1e-2;
    const penaltyWith = (index: number, delta: number) => {
      tf.tidy(() => kernel.assign(original.add(tf.oneHot(index, original.size).reshape(original.shape).mul(delta))));
      return value(penalty);
    };
    for (const index of [0, 5, 17]) {
      const numeric = (penaltyWith(index, eps) - penaltyWith(index, -eps)) / (2 * eps);
      assert.ok(Math.abs(analytic[index]!) > 1e-3, `gradient should not vanish, got ${analytic[index]}`);
      close(analytic[index]!, numeric, 1e-2);
    }
    tf.dispose([v, original, real, ...Object.values(grads)]);
    critic.dispose();
  });
});

describe('lazyRegularization', () => {
  it('applies the penalty every k-th step, scaled by k, and skips it otherwise', () => {
    let calls = 0;
    const penalty = () => {
      calls++;
      return tf.scalar(1.5);
    };
    close(
      value(() => lazyRegularization(8, 4, penalty)!),
      6,
    );
    assert.equal(lazyRegularization(9, 4, penalty), undefined);
    assert.equal(calls, 1);
  });
});
