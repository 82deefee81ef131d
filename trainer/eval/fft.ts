/**
 * Discrete Fourier transforms of any length in float64 for the FSIM metric's filtering:
 * iterative radix-2 for powers of two, Bluestein's chirp-z algorithm (a radix-2 convolution)
 * otherwise, so every size costs O(n log n). Plain TypeScript: the wasm backend has no FFT
 * kernels, and metrics want float64.
 */

/** A complex array as separate real and imaginary parts of equal length. */
export interface ComplexArray {
  re: Float64Array;
  im: Float64Array;
}

/** In place: X[k] = Σ x[t]·e^(∓2πi·kt/n), the minus sign forward; inverse also divides by n. */
export function fft(x: ComplexArray, inverse = false): void {
  const n = x.re.length;
  if (n <= 1) return;
  if ((n & (n - 1)) === 0) radix2(x.re, x.im, inverse);
  else bluestein(x, inverse);
  if (inverse) {
    for (let i = 0; i < n; i++) {
      x.re[i] = x.re[i]! / n;
      x.im[i] = x.im[i]! / n;
    }
  }
}

/** In place 2-D transform of a rows×cols row-major complex image (MATLAB `fft2` / `ifft2`). */
export function fft2(x: ComplexArray, rows: number, cols: number, inverse = false): void {
  const row: ComplexArray = { re: new Float64Array(cols), im: new Float64Array(cols) };
  for (let r = 0; r < rows; r++) {
    row.re.set(x.re.subarray(r * cols, (r + 1) * cols));
    row.im.set(x.im.subarray(r * cols, (r + 1) * cols));
    fft(row, inverse);
    x.re.set(row.re, r * cols);
    x.im.set(row.im, r * cols);
  }
  const column: ComplexArray = { re: new Float64Array(rows), im: new Float64Array(rows) };
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      column.re[r] = x.re[r * cols + c]!;
      column.im[r] = x.im[r * cols + c]!;
    }
    fft(column, inverse);
    for (let r = 0; r < rows; r++) {
      x.re[r * cols + c] = column.re[r]!;
      x.im[r * cols + c] = column.im[r]!;
    }
  }
}

/** Unnormalised radix-2 decimation-in-time transform; n must be a power of two. */
function radix2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = (sign * 2 * Math.PI) / size;
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(step * k);
      const wi = Math.sin(step * k);
      for (let start = 0; start < n; start += size) {
        const a = start + k;
        const b = a + half;
        const tr = re[b]! * wr - im[b]! * wi;
        const ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
}

/**
 * Unnormalised transform of any length as a convolution with a chirp (2kt = k² + t² − (k−t)²):
 * X[k] = c[k]·Σ_t (x[t]·c[t])·c̄[k−t], c[t] = e^(∓iπt²/n), via radix-2 transforms of size ≥ 2n−1.
 */
function bluestein(x: ComplexArray, inverse: boolean): void {
  const n = x.re.length;
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const sign = inverse ? 1 : -1;
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    // t² mod 2n keeps the angle small and exact for large t.
    const angle = (sign * Math.PI * ((t * t) % (2 * n))) / n;
    chirpRe[t] = Math.cos(angle);
    chirpIm[t] = Math.sin(angle);
  }
  const aRe = new Float64Array(m);
  const aIm = new Float64Array(m);
  for (let t = 0; t < n; t++) {
    aRe[t] = x.re[t]! * chirpRe[t]! - x.im[t]! * chirpIm[t]!;
    aIm[t] = x.re[t]! * chirpIm[t]! + x.im[t]! * chirpRe[t]!;
  }
  const bRe = new Float64Array(m);
  const bIm = new Float64Array(m);
  bRe[0] = chirpRe[0]!;
  bIm[0] = -chirpIm[0]!;
  for (let t = 1; t < n; t++) {
    bRe[t] = bRe[m - t] = chirpRe[t]!;
    bIm[t] = bIm[m - t] = -chirpIm[t]!;
  }
  radix2(aRe, aIm, false);
  radix2(bRe, bIm, false);
  for (let i = 0; i < m; i++) {
    const re = aRe[i]! * bRe[i]! - aIm[i]! * bIm[i]!;
    aIm[i] = aRe[i]! * bIm[i]! + aIm[i]! * bRe[i]!;
    aRe[i] = re;
  }
  radix2(aRe, aIm, true);
  for (let k = 0; k < n; k++) {
    const re = aRe[k]! / m;
    const im = aIm[k]! / m;
    x.re[k] = re * chirpRe[k]! - im * chirpIm[k]!;
    x.im[k] = re * chirpIm[k]! + im * chirpRe[k]!;
  }
}
