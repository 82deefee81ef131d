import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { regionalHueLoss } from '../../gan/ldsgan/hue-loss.js';
import { hardSketchLoss, softSketchLoss, type SketchExtractor } from '../../gan/ldsgan/sketch-loss.js';
import { FLAT_EPSILON, sobelLineMap } from '../../gan/losses/sobel-line-map.js';

function value(f: () => tf.Tensor): number {
  const s = tf.tidy(f);
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
}

function values(f: () => tf.Tensor): number[] {
  const t = tf.tidy(f);
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

function close(actual: number, expected: number, tolerance = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
}

/** A 3×4 grey image (R = G = B) whose rows are `row`, in [-1, 1]. */
function greyRows(row: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.tensor4d([...row, ...row, ...row], [1, 3, 4, 1]).tile([1, 1, 1, 3]));
}

/** A pluggable extractor whose line map is the single-channel image rescaled to [0, 1]. */
const rescale: SketchExtractor = (images) => tf.tidy(() => images.add(1).mul(0.5));
const row = (v: number[]) => tf.tensor4d(v, [1, 1, 4, 1]);

before(async () => {
  await tf.setBackend('cpu');
});

describe('sobelLineMap', () => {
  it('marks the two pixels beside a black-to-white step with tanh(4·gain) and flat areas with ~0', () => {
    // Luma columns 0,0,1,1; reflection padding gives 0,[0,0,1,1],1, so the Sobel x response
    // is (1+2+1)·(right − left) = 0, 4, 4, 0 and the y response is 0.
    const lines = values(() => sobelLineMap(greyRows([-1, -1, 1, 1]), { gain: 0.25 }));
    assert.equal(lines.length, 12);
    const line = (sobel: number) => Math.tanh(0.25 * Math.hypot(sobel, FLAT_EPSILON));
    const expectedRow = [line(0), line(4), line(4), line(0)];
    close(line(4), Math.tanh(1), 1e-4);
    lines.forEach((v, i) => close(v, expectedRow[i % 4]!));
  });

  it('weighs the channels by BT.601 luma', () => {
    // A step in red only: luma 0 → 0.299, Sobel magnitude 4·0.299.
    const redStep = tf.tensor4d(
      [-1, -1, 1, 1].flatMap((r) => [r, -1, -1]),
      [1, 1, 4, 3],
    );
    const lines = values(() => sobelLineMap(redStep.tile([1, 3, 1, 1]) as tf.Tensor4D));
    close(lines[1]!, Math.tanh(Math.hypot(4 * 0.299, FLAT_EPSILON)));
    close(lines[0]!, Math.tanh(FLAT_EPSILON));
    redStep.dispose();
  });
});

describe('softSketchLoss', () => {
  it('is the mean L1 distance of the line maps (hand-computed with a rescaling extractor)', () => {
    // F(source) = 0, .5, .6, 1; F(generated) = .5, 1, 0, 1 → |Δ| = .5, .5, .6, 0 → 0.4.
    close(
      value(() => softSketchLoss(row([-1, 0, 0.2, 1]), row([0, 1, -1, 1]), { extractor: rescale })),
      0.4,
    );
  });

  it('does not penalise a change of brightness that keeps the lines, unlike a pixel loss', () => {
    const source = greyRows([-0.8, -0.8, 0.6, 0.6]);
    const brighter = greyRows([-0.6, -0.6, 0.8, 0.8]);
    const shifted = greyRows([-0.8, 0.6, 0.6, 0.6]);
    close(
      value(() => softSketchLoss(source, brighter)),
      0,
    );
    // Moving the edge one pixel: lines f,t,t,f against f,t,f,f with t = tanh(4·0.7) → (t − f)/4.
    const [t, f] = [Math.tanh(Math.hypot(2.8, FLAT_EPSILON)), Math.tanh(FLAT_EPSILON)];
    close(
      value(() => softSketchLoss(source, shifted)),
      (t - f) / 4,
    );
    tf.dispose([source, brighter, shifted]);
  });
});

describe('hardSketchLoss', () => {
  it('compares with the binarised strong lines of the source (hand-computed)', () => {
    const source = () => row([-1, 0, 0.2, 1]); // F = 0, .5, .6, 1
    const generated = () => row([0, 1, -1, 1]); // F = .5, 1, 0, 1
    // τ = 0.5 keeps .6 and 1 (0.5 is not above): target 0,0,1,1 → |Δ| = .5,1,1,0 → 0.625.
    close(
      value(() => hardSketchLoss(source(), generated(), { extractor: rescale })),
      0.625,
    );
    // τ = 0.7 keeps only 1: target 0,0,0,1 → |Δ| = .5,1,0,0 → 0.375.
    close(
      value(() => hardSketchLoss(source(), generated(), { extractor: rescale, threshold: 0.7 })),
      0.375,
    );
  });

  it('pulls the generated line map towards the binary target', () => {
    // d/dg mean|F(g) − t| = sign(F(g) − t)·0.5/4 with F(g) = .5, 1, 0, .8 and t = 0, 0, 1, 1.
    const source = row([-1, 0, 0.2, 1]);
    const gradient = values(() => tf.grad((g: tf.Tensor) => hardSketchLoss(source, g as tf.Tensor4D, { extractor: rescale }))(row([0, 1, -1, 0.6])));
    [0.125, 0.125, -0.125, -0.125].forEach((v, i) => close(gradient[i]!, v));
    source.dispose();
  });
});

describe('regionalHueLoss', () => {
  it('is the mean L1 distance of the region mean colours (hand-computed)', () => {
    // 2×4 image, 2×2 regions. Source region means 0 and 1; generated 0 and 0.75 → 0.125.
    const source = () => tf.tensor4d([0, 0, 1, 1, 0, 0, 1, 1], [1, 2, 4, 1]);
    const generated = () => tf.tensor4d([1, -1, 0.5, 0.5, 0, 0, 2, 0], [1, 2, 4, 1]);
    close(
      value(() => regionalHueLoss(source(), generated(), 2)),
      0.125,
    );
    // Per-pixel (1×1 regions) the same images differ by the mean |Δ| = 5/8.
    close(
      value(() => regionalHueLoss(source(), generated(), 1)),
      0.625,
    );
  });

  it('rejects a region size that is not a positive integer', () => {
    const image = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    assert.throws(() => regionalHueLoss(image, image, 0), /positive integer/);
    image.dispose();
  });
});
