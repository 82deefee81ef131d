import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { randomFeatureNetwork } from '../../gan/losses/feature-network.js';
import { extractFeatures, type FeatureSet } from '../../trainer/eval/feature-sets.js';
import { fft, fft2 } from '../../trainer/eval/fft.js';
import { fid } from '../../trainer/eval/fid.js';
import { fsim } from '../../trainer/eval/fsim.js';
import { kid } from '../../trainer/eval/kid.js';
import { lpips } from '../../trainer/eval/lpips.js';
import { phaseCongruency } from '../../trainer/eval/phase-congruency.js';
import { psnr } from '../../trainer/eval/psnr.js';
import { ssim } from '../../trainer/eval/ssim.js';
import { congruence, psdFactor, symmetricEigenvalues } from '../../trainer/eval/symmetric-matrix.js';
import { loadInceptionFeatureExtractor, randomFeatureExtractor } from '../../trainer/feature-networks.js';

before(async () => {
  await tf.setBackend('cpu');
});

/** Uniform [0, 1) values from mulberry32, so that different seeds give unrelated sequences. */
function seededValues(count: number, seed: number): Float64Array {
  let state = seed >>> 0;
  return Float64Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

/** Images in [-1, 1] from a seed, as plain values and as a tensor. */
function seededImages(shape: [number, number, number, number], seed: number): { values: Float64Array; tensor: tf.Tensor4D } {
  const values = seededValues(
    shape.reduce((a, b) => a * b),
    seed,
  ).map((v) => v * 2 - 1);
  return { values, tensor: tf.tensor4d(Float32Array.from(values), shape) };
}

function close(actual: number, expected: number, tolerance: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} expected ${expected}, got ${actual}`);
}

describe('psnr', () => {
  it('is 10·log10(L²/MSE) with L = 2 for images in [-1, 1], per image', () => {
    const a = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    // Image 0 differs by 0.1 everywhere (MSE 0.01); image 1 by 0.4 in a quarter of its values (MSE 0.04).
    const offsets = new Float32Array(2 * 48);
    offsets.fill(0.1, 0, 48);
    offsets.fill(0.4, 48, 48 + 12);
    const b = tf.tensor4d(offsets, [2, 4, 4, 3]);
    const [first, second] = psnr(a, b);
    close(first!, 10 * Math.log10(4 / 0.01), 1e-4);
    close(second!, 10 * Math.log10(4 / 0.04), 1e-4);
    // The same images in 0..255 with L = 255 give the same value.
    close(psnr(a.add(1).mul(127.5) as tf.Tensor4D, b.add(1).mul(127.5) as tf.Tensor4D, 255)[0]!, first!, 1e-3);
    tf.dispose([a, b]);
  });

  it('is infinite for identical images', () => {
    const { tensor } = seededImages([1, 5, 5, 3], 1);
    assert.equal(psnr(tensor, tensor)[0], Infinity);
    tensor.dispose();
  });
});

/**
 * SSIM by the definition, in float64 with plain loops, of images given in [-1, 1] and
 * measured in 0..255 (L = 255) as 8-bit images are: an 11×11 Gaussian (σ 1.5) window
 * normalised to sum 1, population moments, every fully-inside window, each channel, averaged.
 */
function ssimByHand(a: Float64Array, b: Float64Array, height: number, width: number, channels: number): number {
  const range = 255;
  const to8bit = (v: number) => (v + 1) * 127.5;
  const weights: number[][] = [];
  let total = 0;
  for (let i = 0; i < 11; i++) {
    weights.push([]);
    for (let j = 0; j < 11; j++) {
      const w = Math.exp(-((i - 5) ** 2 + (j - 5) ** 2) / (2 * 1.5 ** 2));
      weights[i]!.push(w);
      total += w;
    }
  }
  const c1 = (0.01 * range) ** 2;
  const c2 = (0.03 * range) ** 2;
  let sum = 0;
  let count = 0;
  for (let c = 0; c < channels; c++) {
    for (let top = 0; top + 11 <= height; top++) {
      for (let left = 0; left + 11 <= width; left++) {
        let mx = 0,
          my = 0,
          mxx = 0,
          myy = 0,
          mxy = 0;
        for (let i = 0; i < 11; i++) {
          for (let j = 0; j < 11; j++) {
            const w = weights[i]![j]! / total;
            const at = ((top + i) * width + left + j) * channels + c;
            const x = to8bit(a[at]!);
            const y = to8bit(b[at]!);
            mx += w * x;
            my += w * y;
            mxx += w * x * x;
            myy += w * y * y;
            mxy += w * x * y;
          }
        }
        const vx = mxx - mx * mx;
        const vy = myy - my * my;
        const cov = mxy - mx * my;
        sum += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        count++;
      }
    }
  }
  return sum / count;
}

describe('ssim', () => {
  it('is 1 for identical images', () => {
    const { tensor } = seededImages([2, 16, 16, 3], 2);
    for (const value of ssim(tensor, tensor)) close(value, 1, 1e-5);
    tensor.dispose();
  });

  it('matches the definition on 11×11 images, where one window covers the whole image', () => {
    const a = seededImages([1, 11, 11, 3], 3);
    // b: a darkened, noisier copy, so luminance, contrast and structure all differ.
    const noise = seededValues(11 * 11 * 3, 4);
    const bValues = a.values.map((v, i) => 0.6 * v - 0.2 + 0.5 * (noise[i]! - 0.5));
    const b = tf.tensor4d(Float32Array.from(bValues), [1, 11, 11, 3]);
    const expected = ssimByHand(a.values, Float64Array.from(b.dataSync()), 11, 11, 3);
    assert.ok(expected > 0.1 && expected < 0.9, `test pair should be neither alike nor unrelated, SSIM ${expected}`);
    close(ssim(a.tensor, b)[0]!, expected, 1e-5);
    tf.dispose([a.tensor, b]);
  });

  it('averages the map over every valid window position and channel of a non-square image', () => {
    const a = seededImages([2, 14, 17, 2], 5);
    const b = seededImages([2, 14, 17, 2], 6);
    const blended = tf.tidy(() => a.tensor.mul(0.7).add(b.tensor.mul(0.3))) as tf.Tensor4D;
    const blendedValues = Float64Array.from(blended.dataSync());
    const values = ssim(a.tensor, blended);
    const imageSize = 14 * 17 * 2;
    for (const n of [0, 1]) {
      const expected = ssimByHand(a.values.subarray(n * imageSize), blendedValues.subarray(n * imageSize), 14, 17, 2);
      close(values[n]!, expected, 1e-5, `image ${n}`);
    }
    tf.dispose([a.tensor, b.tensor, blended]);
  });

  it('rejects images smaller than the window', () => {
    const { tensor } = seededImages([1, 10, 12, 3], 7);
    assert.throws(() => ssim(tensor, tensor), /at least 11×11/);
    tensor.dispose();
  });
});

function randomSymmetricPsd(n: number, rank: number, seed: number): Float64Array {
  const b = seededValues(n * rank, seed).map((v) => v - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < rank; k++) a[i * n + j] = a[i * n + j]! + b[i * rank + k]! * b[j * rank + k]!;
  return a;
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** F·Fᵀ for an n×r row-major F. */
function timesOwnTranspose(f: Float64Array, n: number, r: number): Float64Array {
  const product = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < r; k++) product[i * n + j] = product[i * n + j]! + f[i * r + k]! * f[j * r + k]!;
  return product;
}

describe('symmetric matrices', () => {
  it('finds the eigenvalues of a known matrix', () => {
    const values = symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3);
    assert.deepEqual(
      Array.from(values, (v) => Math.round(v * 1e9) / 1e9),
      [1, 3, 5],
    );
  });

  it('finds the eigenvalues of a PSD matrix built from known ones', () => {
    // Q·diag(λ)·Qᵀ with Q a Householder reflection I − 2vvᵀ/‖v‖².
    const n = 12;
    const lambda = Array.from({ length: n }, (_, i) => (i * i) / 7);
    const v = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const norm = v.reduce((s, x) => s + x * x, 0);
    const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / norm;
    const a = Float64Array.from({ length: n * n }, (_, k) => {
      const [i, j] = [Math.floor(k / n), k % n];
      return lambda.reduce((s, l, t) => s + q(i, t) * l * q(j, t), 0);
    });
    const values = symmetricEigenvalues(a, n);
    lambda.forEach((l, i) => close(values[i]!, l, 1e-12));
  });

  for (const [n, rank] of [
    [40, 40],
    [30, 7],
  ] as const) {
    it(`psdFactor squares back to a ${n}×${n} PSD matrix of rank ${rank}`, () => {
      const a = randomSymmetricPsd(n, rank, n + rank);
      const root = psdFactor(a, n);
      assert.equal(root.rank, rank);
      const error = maxAbsDifference(timesOwnTranspose(root.factor, n, root.rank), a);
      assert.ok(error < 1e-12, `F·Fᵀ is off by ${error}`);
    });
  }

  it('congruence computes Fᵀ·S·F', () => {
    const f = { factor: Float64Array.from([1, 2, 0, 1, 3, -1]), rank: 2 }; // 3×2
    const s = Float64Array.from([2, 1, 0, 1, 3, 1, 0, 1, 4]);
    // By hand: S·F = [[2,5],[4,4],[12,-3]], Fᵀ·(S·F) = [[2+0+36, 5+0-9], [4+4-12, 10+4+3]].
    assert.deepEqual(Array.from(congruence(f, s, 3)), [38, -4, -4, 17]);
  });
});

function featureSet(values: Float64Array, dims: number, extractor = 'test-features'): FeatureSet {
  return { extractor, dims, count: values.length / dims, values };
}

/** count × dims features, roughly normal (sum of uniforms), with correlated dimensions. */
function gaussianFeatures(count: number, dims: number, seed: number): Float64Array {
  const u = seededValues(count * dims * 4, seed);
  const z = Float64Array.from({ length: count * dims }, (_, i) => (u[4 * i]! + u[4 * i + 1]! + u[4 * i + 2]! + u[4 * i + 3]! - 2) * 1.7);
  return z.map((v, i) => v + 0.5 * z[i - (i % dims)]!);
}

function shifted(values: Float64Array, dims: number, shift: (dim: number) => number): Float64Array {
  return values.map((v, i) => v + shift(i % dims));
}

describe('fid', () => {
  it('is 0 for a set with itself', () => {
    const set = featureSet(gaussianFeatures(200, 16, 8), 16);
    const result = fid(set, set);
    close(result.value, 0, 1e-6);
    assert.equal(result.extractor, 'test-features');
  });

  it('is the squared distance of the means when the covariances are equal', () => {
    const dims = 16;
    const values = gaussianFeatures(300, dims, 9);
    const shift = (d: number) => 0.1 * (d - 7);
    const expected = Array.from({ length: dims }, (_, d) => shift(d) ** 2).reduce((s, v) => s + v, 0);
    close(fid(featureSet(values, dims), featureSet(shifted(values, dims, shift), dims)).value, expected, 1e-6 * expected);
  });

  it('is the closed form for Gaussians with diagonal covariances', () => {
    // Scaling every feature by 2 quadruples the covariance: FID = Tr(Σ) + 4·Tr(Σ) − 2·Tr(2Σ) = Tr(Σ).
    const dims = 8;
    const values = gaussianFeatures(400, dims, 10);
    const mean = Array.from({ length: dims }, (_, d) => values.filter((_, i) => i % dims === d).reduce((s, v) => s + v, 0) / 400);
    const scaled = values.map((v, i) => mean[i % dims]! + 2 * (v - mean[i % dims]!));
    const trace = Array.from({ length: dims }, (_, d) => values.filter((_, i) => i % dims === d).reduce((s, v) => s + (v - mean[d]!) ** 2, 0) / 399);
    close(
      fid(featureSet(values, dims), featureSet(scaled, dims)).value,
      trace.reduce((s, v) => s + v, 0),
      1e-8,
    );
  });

  it('refuses to compare features of different extractors', () => {
    const values = gaussianFeatures(10, 4, 11);
    assert.throws(() => fid(featureSet(values, 4, 'inception'), featureSet(values, 4, 'random')), /different extractors/);
  });
});

/** The unbiased MMD² with (xᵀy/d + 1)³ by its definition, for one subset = the whole sets. */
function mmdByHand(x: Float64Array, y: Float64Array, m: number, d: number): number {
  const k = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let dot = 0;
    for (let t = 0; t < d; t++) dot += a[i * d + t]! * b[j * d + t]!;
    return (dot / d + 1) ** 3;
  };
  let xx = 0,
    yy = 0,
    xy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        xx += k(x, i, x, j);
        yy += k(y, i, y, j);
      }
      xy += k(x, i, y, j);
    }
  }
  return xx / (m * (m - 1)) + yy / (m * (m - 1)) - (2 * xy) / (m * m);
}

describe('kid', () => {
  const dims = 8;

  it('is the unbiased polynomial-kernel MMD² when a subset is the whole set', () => {
    const x = gaussianFeatures(5, dims, 12);
    const y = shifted(gaussianFeatures(5, dims, 13), dims, () => 0.3);
    const result = kid(featureSet(x, dims), featureSet(y, dims), { subsets: 3, subsetSize: 5 });
    close(result.value, mmdByHand(x, y, 5, dims), 1e-5 * Math.abs(mmdByHand(x, y, 5, dims)));
    assert.equal(result.subsetSize, 5);
    close(result.std, 0, 1e-9);
  });

  it('is about 0 for samples of one distribution and grows with a shift', () => {
    const x = featureSet(gaussianFeatures(400, dims, 14), dims);
    const options = { subsets: 20, subsetSize: 200 };
    const same = kid(x, featureSet(gaussianFeatures(400, dims, 15), dims), options);
    const itself = kid(x, x, options);
    const small = kid(
      x,
      featureSet(
        shifted(x.values, dims, () => 0.3),
        dims,
      ),
      options,
    );
    const large = kid(
      x,
      featureSet(
        shifted(x.values, dims, () => 1),
        dims,
      ),
      options,
    );
    // Independent subsets of one set share images, which biases the estimate slightly below 0.
    const nearZero = Math.max(Math.abs(itself.value), Math.abs(same.value));
    assert.ok(nearZero < small.value / 5, `near 0: itself ${itself.value}, same distribution ${same.value}, shifted ${small.value}`);
    assert.ok(small.value > 5 * Math.abs(same.value) && large.value > 5 * small.value, `grows: ${same.value} < ${small.value} < ${large.value}`);
    assert.equal(large.extractor, 'test-features');
  });
});

describe('feature extractors', () => {
  it('the random fallback names itself and gives FID 0 for the same images, more for changed ones', async () => {
    const extractor = randomFeatureExtractor();
    assert.match(extractor.name, /random-conv-pyramid/);
    const images = seededImages([6, 16, 16, 3], 16).tensor;
    const brighter = tf.tidy(() => tf.clipByValue(images.add(0.4), -1, 1)) as tf.Tensor4D;
    const [a, b, c] = [await extractFeatures(extractor, [images]), await extractFeatures(extractor, [images.slice(0, 3), images.slice(3)]), await extractFeatures(extractor, [brighter])];
    assert.equal(a.count, 6);
    assert.equal(a.dims, extractor.dims);
    assert.equal(fid(a, b).extractor, extractor.name);
    close(fid(a, b).value, 0, 1e-4);
    assert.ok(fid(a, c).value > 1e-3, `brightening moves the features: FID ${fid(a, c).value}`);
    tf.dispose([images, brighter]);
    extractor.dispose();
  });

  it('loads a converted layers model from a directory as the Inception extractor', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'animebot-inception-'));
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [null, null, 3], filters: 5, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })],
    });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        await writeFile(path.join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }];
        await writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: manifest }));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const extractor = await loadInceptionFeatureExtractor(dir, { inputSize: 12, dims: 5 });
    const images = seededImages([2, 20, 16, 3], 17).tensor;
    const features = extractor.features(images);
    // Resized to 12×12, run, and globally pooled (the model ends before the pooling).
    const expected = tf.tidy(() => tf.mean(model.predict(tf.image.resizeBilinear(images, [12, 12])) as tf.Tensor, [1, 2]));
    assert.deepEqual(features.shape, [2, 5]);
    const error = maxAbsDifference(Float64Array.from(features.dataSync()), Float64Array.from(expected.dataSync()));
    assert.ok(error < 1e-6, `features off by ${error}`);
    assert.match(extractor.name, /^inception-v3-pool3\(animebot-inception-/);
    const wrongDims = await loadInceptionFeatureExtractor(dir, { inputSize: 12 });
    assert.throws(() => wrongDims.features(images), /gives 5 features, expected 2048/);
    tf.dispose([images, features, expected]);
    for (const m of [model, extractor, wrongDims]) m.dispose();
    await rm(dir, { recursive: true });
  });
});

describe('lpips', () => {
  const net = randomFeatureNetwork({ channels: [8, 16] });
  after(() => net.dispose());

  it('is 0 for identical images, positive otherwise, and records the network', () => {
    const a = seededImages([2, 16, 16, 3], 18).tensor;
    const b = seededImages([2, 16, 16, 3], 19).tensor;
    const same = lpips(a, a, { net });
    const different = lpips(a, b, { net });
    close(same.value, 0, 1e-6);
    assert.ok(different.value > 0.01, `different images: LPIPS ${different.value}`);
    assert.equal(different.network, `${net.name}, baseline, unit weights`);
    tf.dispose([a, b]);
  });
});

describe('fft', () => {
  for (const n of [1, 8, 12, 17]) {
    it(`matches the DFT by its definition for length ${n}, and inverts`, () => {
      const re = seededValues(n, 20 + n);
      const im = seededValues(n, 40 + n);
      const x = { re: Float64Array.from(re), im: Float64Array.from(im) };
      fft(x);
      for (let k = 0; k < n; k++) {
        let sr = 0;
        let si = 0;
        for (let t = 0; t < n; t++) {
          const angle = (-2 * Math.PI * k * t) / n;
          sr += re[t]! * Math.cos(angle) - im[t]! * Math.sin(angle);
          si += re[t]! * Math.sin(angle) + im[t]! * Math.cos(angle);
        }
        close(x.re[k]!, sr, 1e-12);
        close(x.im[k]!, si, 1e-12);
      }
      fft(x, true);
      const error = Math.max(maxAbsDifference(x.re, re), maxAbsDifference(x.im, im));
      assert.ok(error < 1e-14, `inverse off by ${error}`);
    });
  }

  it('fft2 of a single 2-D frequency is one spike', () => {
    const [rows, cols] = [6, 5];
    const x = {
      re: Float64Array.from({ length: rows * cols }, (_, i) => Math.cos(2 * Math.PI * ((2 * Math.floor(i / cols)) / rows + (1 * (i % cols)) / cols))),
      im: new Float64Array(rows * cols),
    };
    fft2(x, rows, cols);
    // cos splits into the frequencies (2, 1) and (−2, −1) = (4, 4), each with half the energy.
    x.re.forEach((v, i) => close(v, i === 2 * cols + 1 || i === 4 * cols + 4 ? (rows * cols) / 2 : 0, 1e-9, `bin ${i}`));
  });
});

describe('phase congruency', () => {
  const [rows, cols] = [32, 48];
  const step = Float64Array.from({ length: rows * cols }, (_, i) => (i % cols < 24 ? 60 : 180));

  it('peaks at a step edge and lies in [0, 1]', () => {
    const pc = phaseCongruency(step, rows, cols);
    const row = Array.from(pc.subarray(5 * cols, 6 * cols));
    const edges = [0, 23, 24, 47]; // the step and, the FFT being periodic, the wrap-around
    const best = row.indexOf(Math.max(...row));
    assert.ok(edges.includes(best), `maximum at column ${best}`);
    assert.ok(
      pc.every((v) => v >= 0 && v <= 1),
      `phase congruency spans ${Math.min(...pc)}..${Math.max(...pc)}`,
    );
  });

  it('does not change with brightness or contrast', () => {
    const pc = phaseCongruency(step, rows, cols);
    const rescaled = phaseCongruency(
      step.map((v) => 0.3 * v + 40),
      rows,
      cols,
    );
    // Only the ε = 1e-4 that keeps the mean-phase division finite does not scale with the image.
    const error = maxAbsDifference(pc, rescaled);
    assert.ok(error < 1e-4, `phase congruency changed by ${error}`);
  });
});

describe('fsim', () => {
  const size: [number, number, number, number] = [1, 40, 36, 3];
  const smooth = () => tf.tidy(() => tf.image.resizeBilinear(seededImages([1, 6, 6, 3], 21).tensor, [size[1], size[2]]));

  it('is 1 for identical images, FSIM and FSIMc', () => {
    const a = smooth();
    const [result] = fsim(a, a);
    close(result!.fsim, 1, 1e-12);
    close(result!.fsimc, 1, 1e-12);
    a.dispose();
  });

  it('falls as noise grows, and FSIMc also sees colour changes', () => {
    const a = smooth();
    const noise = seededImages(size, 22).tensor;
    const noisy = (amount: number) => tf.tidy(() => tf.clipByValue(a.add(noise.mul(amount)), -1, 1)) as tf.Tensor4D;
    const scores = [0.05, 0.2, 0.5].map((amount) => {
      const b = noisy(amount);
      const [result] = fsim(a, b);
      b.dispose();
      return result!;
    });
    assert.ok(scores[0]!.fsim < 1 && scores[0]!.fsim > scores[1]!.fsim && scores[1]!.fsim > scores[2]!.fsim, `FSIM ${scores.map((s) => s.fsim).join(',')}`);
    // A hue rotation (RGB → BRG) keeps luminance structure but changes chrominance.
    const rotated = tf.tidy(() => tf.concat([a.slice([0, 0, 0, 2], [-1, -1, -1, 1]), a.slice([0, 0, 0, 0], [-1, -1, -1, 2])], 3)) as tf.Tensor4D;
    const [colour] = fsim(a, rotated);
    assert.ok(colour!.fsimc < colour!.fsim, `FSIMc ${colour!.fsimc} should fall below FSIM ${colour!.fsim}`);
    tf.dispose([a, noise, rotated]);
  });
});
