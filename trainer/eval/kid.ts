import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkComparable, type FeatureSet } from './feature-sets.js';

export const kidOptionsSchema = z.object({
  /** Number of random subset pairs averaged (torch-fidelity's default 100). */
  subsets: z.number().int().positive().default(100),
  /** Images per subset (torch-fidelity's default 1000); capped at the smaller set's size. */
  subsetSize: z.number().int().min(2).default(1000),
  /**
   * Kernel matrices over all pairs are computed once; sets larger than this are first
   * reduced to a seeded random sample of it (each subset is still a uniform random subset
   * of the full set). 2048 keeps the three float32 matrices under 50 MB.
   */
  maxSamples: z.number().int().min(2).default(2048),
  seed: z.number().int().default(0),
});
export type KidOptions = z.input<typeof kidOptionsSchema>;

export interface KidResult {
  metric: 'KID';
  /** Which network the features came from (see feature-extractor.ts). */
  extractor: string;
  /** Mean over subsets of the unbiased MMD² estimate. */
  value: number;
  /** Standard deviation over subsets. */
  std: number;
  subsets: number;
  subsetSize: number;
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs", §4): the
 * unbiased estimate of MMD² with the cubic polynomial kernel k(x, y) = (xᵀy/d + 1)³,
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2·Σ_{i,j} k(xᵢ,yⱼ)/m²,
 * averaged over random subsets of m images drawn without replacement from each set
 * (as torch-fidelity's `kid_features_to_metric`). Unbiased, so it can come out slightly
 * negative for sets from the same distribution. Kernel matrices run on the active tfjs
 * backend in float32; sums are float64.
 */
export function kid(a: FeatureSet, b: FeatureSet, options: KidOptions = {}): KidResult {
  const o = kidOptionsSchema.parse(options);
  checkComparable('kid', a, b, 2);
  const random = seededRandom(o.seed);
  const x = sampleRows(a, o.maxSamples, random);
  const y = sampleRows(b, o.maxSamples, random);
  const m = Math.min(o.subsetSize, x.count, y.count);
  const kxx = polynomialKernel(x, x);
  const kyy = polynomialKernel(y, y);
  const kxy = polynomialKernel(x, y);
  const estimates: number[] = [];
  for (let s = 0; s < o.subsets; s++) {
    const i = chooseWithoutReplacement(x.count, m, random);
    const j = chooseWithoutReplacement(y.count, m, random);
    const within = offDiagonalSum(kxx, x.count, i) + offDiagonalSum(kyy, y.count, j);
    let across = 0;
    for (const p of i) for (const q of j) across += kxy[p * y.count + q]!;
    estimates.push(within / (m * (m - 1)) - (2 * across) / (m * m));
  }
  const value = estimates.reduce((s, e) => s + e, 0) / estimates.length;
  const std = Math.sqrt(estimates.reduce((s, e) => s + (e - value) ** 2, 0) / estimates.length);
  return { metric: 'KID', extractor: a.extractor, value, std, subsets: o.subsets, subsetSize: m };
}

/** (XYᵀ/d + 1)³ as a row-major x.count × y.count matrix. */
function polynomialKernel(x: FeatureSet, y: FeatureSet): Float32Array {
  const result = tf.tidy(() => {
    const xs = tf.tensor2d(Float32Array.from(x.values), [x.count, x.dims]);
    const ys = tf.tensor2d(Float32Array.from(y.values), [y.count, y.dims]);
    return tf.pow(tf.matMul(xs, ys, false, true).div(x.dims).add(1), 3);
  });
  const values = result.dataSync() as Float32Array;
  result.dispose();
  return values;
}

function offDiagonalSum(k: Float32Array, n: number, indices: number[]): number {
  let sum = 0;
  for (const p of indices) for (const q of indices) if (p !== q) sum += k[p * n + q]!;
  return sum;
}

function sampleRows(set: FeatureSet, max: number, random: () => number): FeatureSet {
  if (set.count <= max) return set;
  const rows = chooseWithoutReplacement(set.count, max, random);
  const values = new Float64Array(max * set.dims);
  for (const [r, i] of rows.entries()) values.set(set.values.subarray(i * set.dims, (i + 1) * set.dims), r * set.dims);
  return { ...set, count: max, values };
}

/** k distinct indices of 0..n−1 (partial Fisher–Yates). */
function chooseWithoutReplacement(n: number, k: number, random: () => number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k);
}

/** mulberry32: a small seeded generator, so the subsets (and the score) repeat exactly. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
