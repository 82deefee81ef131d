/**
 * Dense symmetric positive semi-definite matrices in float64, row-major n×n `Float64Array`s:
 * what FID needs to compute Tr((Σ₁Σ₂)^½). Plain TypeScript, no tfjs: covariances are float64
 * and these algorithms are sequential anyway.
 */

function checkSquare(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) throw new Error(`expected a ${n}×${n} matrix, got ${a.length} entries`);
}

/** A "square root" F (n×rank, row-major) of a PSD matrix A, with F·Fᵀ = A. */
export interface PsdFactor {
  factor: Float64Array;
  rank: number;
}

/**
 * Cholesky factorisation with complete pivoting for positive semi-definite matrices (Higham,
 * "Accuracy and Stability of Numerical Algorithms", §10.3; LAPACK `dpstrf`): each step takes
 * the largest remaining diagonal as pivot and stops when it falls to n·ε·max(diag A), so a
 * singular covariance (fewer samples than dimensions, dead features) yields a factor of its
 * numerical rank instead of failing. n³/6 multiply-adds. Only the lower triangle is read.
 */
export function psdFactor(a: Float64Array, n: number): PsdFactor {
  checkSquare(a, n);
  const f = new Float64Array(n * n);
  const remaining = new Float64Array(n);
  const chosen = new Uint8Array(n);
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) {
    remaining[i] = a[i * n + i]!;
    maxDiagonal = Math.max(maxDiagonal, remaining[i]!);
  }
  const tolerance = n * 2 ** -52 * maxDiagonal;
  let rank = 0;
  for (; rank < n; rank++) {
    let p = -1;
    for (let i = 0; i < n; i++) if (!chosen[i] && (p < 0 || remaining[i]! > remaining[p]!)) p = i;
    if (p < 0 || remaining[p]! <= tolerance) break;
    chosen[p] = 1;
    const pivot = Math.sqrt(remaining[p]!);
    f[p * n + rank] = pivot;
    for (let i = 0; i < n; i++) {
      if (chosen[i]) continue;
      let s = i > p ? a[i * n + p]! : a[p * n + i]!;
      for (let j = 0; j < rank; j++) s -= f[i * n + j]! * f[p * n + j]!;
      const value = s / pivot;
      f[i * n + rank] = value;
      remaining[i] = remaining[i]! - value * value;
    }
  }
  const factor = new Float64Array(n * rank);
  for (let i = 0; i < n; i++) factor.set(f.subarray(i * n, i * n + rank), i * rank);
  return { factor, rank };
}

/** Fᵀ·S·F for an n×r factor F and a symmetric n×n S: an r×r symmetric matrix. */
export function congruence(f: PsdFactor, s: Float64Array, n: number): Float64Array {
  checkSquare(s, n);
  const r = f.rank;
  const factor = f.factor;
  const sf = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    const out = i * r;
    for (let k = 0; k < n; k++) {
      const sik = s[i * n + k]!;
      if (sik === 0) continue;
      const row = k * r;
      for (let j = 0; j < r; j++) sf[out + j] = sf[out + j]! + sik * factor[row + j]!;
    }
  }
  const result = new Float64Array(r * r);
  for (let i = 0; i < n; i++) {
    const row = i * r;
    for (let p = 0; p < r; p++) {
      const fip = factor[row + p]!;
      if (fip === 0) continue;
      const out = p * r;
      // Upper triangle only; mirrored below.
      for (let q = p; q < r; q++) result[out + q] = result[out + q]! + fip * sf[row + q]!;
    }
  }
  for (let p = 0; p < r; p++) for (let q = 0; q < p; q++) result[p * r + q] = result[q * r + p]!;
  return result;
}

/**
 * The eigenvalues (ascending) of a symmetric matrix, by Householder tridiagonalisation and
 * the implicit QL algorithm (`tred2` and `tql2` of EISPACK as in JAMA, without the
 * eigenvectors): 4n³/3 flops, about 0.3 s of CPU for n = 512. Only the lower triangle is read.
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  checkSquare(a, n);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tridiagonalize(Float64Array.from(a), d, e, n);
  diagonalize(d, e, n);
  return d.sort();
}

/**
 * EISPACK tred2 without accumulating the transformation: (d, e) ← the diagonal and
 * sub-diagonal (e[i] couples i−1 and i) of the tridiagonal matrix similar to A. `w` starts
 * as A and is overwritten. The algorithm's V[i][j] is stored at w[j·n + i] so that its inner
 * loops, which walk columns of V, read contiguous memory (A is symmetric, so w = A either way).
 */
function tridiagonalize(w: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const at = (i: number, j: number) => j * n + i;
  for (let j = 0; j < n; j++) d[j] = w[at(n - 1, j)]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[at(i - 1, j)]!;
        w[at(i, j)] = 0;
        w[at(j, i)] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        w[at(j, i)] = f;
        g = e[j]! + w[at(j, j)]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += w[at(k, j)]! * d[k]!;
          e[k] = e[k]! + w[at(k, j)]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) w[at(k, j)] = w[at(k, j)]! - (f * e[k]! + g * d[k]!);
        d[j] = w[at(i - 1, j)]!;
        w[at(i, j)] = 0;
      }
    }
    d[i] = h;
  }
  // Without accumulation the tridiagonal's diagonal is what the reduction left on V's diagonal.
  for (let j = 0; j < n; j++) d[j] = w[at(j, j)]!;
  e[0] = 0;
}

/** EISPACK tql2 without eigenvectors: d ← the eigenvalues of the tridiagonal (d, e). */
function diagonalize(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
