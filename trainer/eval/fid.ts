import { checkComparable, type FeatureSet } from './feature-sets.js';
import { congruence, psdFactor, symmetricEigenvalues } from './symmetric-matrix.js';

export interface FeatureStatistics {
  extractor: string;
  dims: number;
  count: number;
  mean: Float64Array;
  /** Sample covariance (divided by count − 1, as numpy's `np.cov` in pytorch-fid), dims×dims. */
  covariance: Float64Array;
}

export interface FidResult {
  metric: 'FID';
  /** Which network the features came from (see feature-extractor.ts). */
  extractor: string;
  value: number;
  counts: [number, number];
}

/** Mean and sample covariance of a feature set, in float64. */
export function featureStatistics(set: FeatureSet): FeatureStatistics {
  const { dims: d, count: n, values } = set;
  if (n < 2) throw new Error(`featureStatistics: needs at least 2 feature vectors, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + values[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  // Centred features stored by dimension, so each covariance entry is a contiguous dot product.
  const centred = new Float64Array(d * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[j * n + i] = values[i * d + j]! - mean[j]!;
  const covariance = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += centred[j * n + i]! * centred[k * n + i]!;
      covariance[j * d + k] = dot / (n - 1);
      covariance[k * d + j] = dot / (n - 1);
    }
  }
  return { extractor: set.extractor, dims: d, count: n, mean, covariance };
}

/**
 * The Fréchet distance of two Gaussians (Heusel et al. 2017, eq. 6):
 *   ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½).
 * With any factor Σ₁ = F·Fᵀ, Σ₁Σ₂ = F·(FᵀΣ₂) has the non-zero eigenvalues of FᵀΣ₂F, which
 * is symmetric PSD, so Tr((Σ₁Σ₂)^½) = Σ √λᵢ(FᵀΣ₂F) — real by construction, with no complex
 * parts to discard as after scipy's `sqrtm` of the non-symmetric product (pytorch-fid). F
 * is a pivoted Cholesky factor, which also handles a singular Σ₁. O(dims³) in about 2.7·dims³
 * flops.
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  if (a.dims !== b.dims) throw new Error(`frechetDistance: ${a.dims} vs ${b.dims} dims`);
  const d = a.dims;
  let meanTerm = 0;
  let traces = 0;
  for (let j = 0; j < d; j++) {
    meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
    traces += a.covariance[j * d + j]! + b.covariance[j * d + j]!;
  }
  const factor = psdFactor(a.covariance, d);
  if (factor.rank === 0) return meanTerm + traces;
  const eigenvalues = symmetricEigenvalues(congruence(factor, b.covariance, d), factor.rank);
  const traceRoot = eigenvalues.reduce((sum, lambda) => sum + Math.sqrt(Math.max(lambda, 0)), 0);
  return meanTerm + traces - 2 * traceRoot;
}

/** FID between two feature sets from the same extractor. */
export function fid(a: FeatureSet, b: FeatureSet): FidResult {
  checkComparable('fid', a, b, 2);
  return {
    metric: 'FID',
    extractor: a.extractor,
    value: frechetDistance(featureStatistics(a), featureStatistics(b)),
    counts: [a.count, b.count],
  };
}
