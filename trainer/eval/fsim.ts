import type * as tf from '@tensorflow/tfjs';
import { checkImagePair } from './image-range.js';
import { phaseCongruency } from './phase-congruency.js';

export interface FsimResult {
  /** FSIM: phase congruency and gradient similarity of the luminance (Y). */
  fsim: number;
  /** FSIMc: FSIM with the chrominance (I, Q) similarity as well. */
  fsimc: number;
}

const T1 = 0.85;
const T2 = 160;
const T3 = 200;
const T4 = 200;
const LAMBDA = 0.03;

/**
 * FSIM and FSIMc of each image pair (Zhang, Zhang, Mou & Zhang, "FSIM: A Feature Similarity
 * Index for Image Quality Assessment", IEEE TIP 2011), following the authors' FeatureSIM.m:
 * images in 0..255 (ours are mapped from [-1, 1]), converted to YIQ, downsampled by
 * F = max(1, round(min(H, W)/256)) with an F×F box filter, phase congruency PC (see
 * phase-congruency.ts) and Scharr gradient magnitude G of Y, then
 *   S_PC = (2·PC₁PC₂ + T1)/(PC₁² + PC₂² + T1), S_G = (2·G₁G₂ + T2)/(G₁² + G₂² + T2),
 *   FSIM = Σ S_PC·S_G·PCm / Σ PCm with PCm = max(PC₁, PC₂), T1 = 0.85, T2 = 160,
 * and FSIMc multiplies in Re((S_I·S_Q)^0.03), T3 = T4 = 200. Identical images give 1.
 *
 * Plain float64 TypeScript with FFTs: about 17 FFTs per image, meant for evaluation images of
 * a few hundred pixels, not for training losses.
 */
export function fsim(a: tf.Tensor4D, b: tf.Tensor4D): FsimResult[] {
  checkImagePair('fsim', a, b);
  const [count, height, width, channels] = a.shape;
  if (channels !== 3) throw new Error(`fsim: expects RGB images, got ${channels} channels`);
  const valuesA = a.dataSync();
  const valuesB = b.dataSync();
  const imageSize = height * width * 3;
  const results: FsimResult[] = [];
  for (let n = 0; n < count; n++) {
    const first = yiq(valuesA.subarray(n * imageSize, (n + 1) * imageSize), height, width);
    const second = yiq(valuesB.subarray(n * imageSize, (n + 1) * imageSize), height, width);
    results.push(compare(first, second));
  }
  return results;
}

interface YiqImage {
  y: Float64Array;
  i: Float64Array;
  q: Float64Array;
  rows: number;
  cols: number;
}

/** [-1, 1] RGB → 0..255 → YIQ planes, downsampled as FeatureSIM.m does. */
function yiq(rgb: ArrayLike<number>, rows: number, cols: number): YiqImage {
  const size = rows * cols;
  const y = new Float64Array(size);
  const i = new Float64Array(size);
  const q = new Float64Array(size);
  for (let p = 0; p < size; p++) {
    const r = (rgb[3 * p]! + 1) * 127.5;
    const g = (rgb[3 * p + 1]! + 1) * 127.5;
    const b = (rgb[3 * p + 2]! + 1) * 127.5;
    y[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    i[p] = 0.596 * r - 0.274 * g - 0.322 * b;
    q[p] = 0.211 * r - 0.523 * g + 0.312 * b;
  }
  const factor = Math.max(1, Math.round(Math.min(rows, cols) / 256));
  if (factor === 1) return { y, i, q, rows, cols };
  const down = (plane: Float64Array) => downsample(plane, rows, cols, factor);
  return { y: down(y), i: down(i), q: down(q), rows: Math.ceil(rows / factor), cols: Math.ceil(cols / factor) };
}

/** MATLAB `conv2(x, ones(F)/F², 'same')` sampled at (1:F:rows, 1:F:cols). */
function downsample(plane: Float64Array, rows: number, cols: number, factor: number): Float64Array {
  const outRows = Math.ceil(rows / factor);
  const outCols = Math.ceil(cols / factor);
  const out = new Float64Array(outRows * outCols);
  // 'same' centres an even kernel so that it covers offsets −⌊F/2⌋+1 … ⌊F/2⌋ (MATLAB's convention).
  const low = -Math.floor(factor / 2) + (factor % 2 ? 0 : 1);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      let sum = 0;
      for (let dr = low; dr < low + factor; dr++) {
        for (let dc = low; dc < low + factor; dc++) {
          const rr = r * factor + dr;
          const cc = c * factor + dc;
          if (rr >= 0 && rr < rows && cc >= 0 && cc < cols) sum += plane[rr * cols + cc]!;
        }
      }
      out[r * outCols + c] = sum / (factor * factor);
    }
  }
  return out;
}

/** Scharr gradient magnitude, MATLAB `conv2(Y, dx, 'same')` with zero padding. */
function gradientMagnitude(plane: Float64Array, rows: number, cols: number): Float64Array {
  const dx = [3, 0, -3, 10, 0, -10, 3, 0, -3].map((v) => v / 16);
  const dy = [3, 10, 3, 0, 0, 0, -3, -10, -3].map((v) => v / 16);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let gx = 0;
      let gy = 0;
      for (let a = 0; a < 3; a++) {
        for (let b = 0; b < 3; b++) {
          const rr = r + 1 - a;
          const cc = c + 1 - b;
          if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
          const v = plane[rr * cols + cc]!;
          gx += v * dx[a * 3 + b]!;
          gy += v * dy[a * 3 + b]!;
        }
      }
      out[r * cols + c] = Math.hypot(gx, gy);
    }
  }
  return out;
}

function compare(first: YiqImage, second: YiqImage): FsimResult {
  const { rows, cols } = first;
  const pc1 = phaseCongruency(first.y, rows, cols);
  const pc2 = phaseCongruency(second.y, rows, cols);
  const g1 = gradientMagnitude(first.y, rows, cols);
  const g2 = gradientMagnitude(second.y, rows, cols);
  const similarity = (x: number, y: number, t: number) => (2 * x * y + t) / (x * x + y * y + t);
  let luminance = 0;
  let chromatic = 0;
  let weight = 0;
  for (let p = 0; p < rows * cols; p++) {
    const pcm = Math.max(pc1[p]!, pc2[p]!);
    const sl = similarity(pc1[p]!, pc2[p]!, T1) * similarity(g1[p]!, g2[p]!, T2);
    const sc = similarity(first.i[p]!, second.i[p]!, T3) * similarity(first.q[p]!, second.q[p]!, T4);
    // MATLAB's real((S_I·S_Q)^λ): a negative base has the principal power |x|^λ·e^(iπλ).
    const chroma = sc >= 0 ? sc ** LAMBDA : Math.abs(sc) ** LAMBDA * Math.cos(Math.PI * LAMBDA);
    luminance += sl * pcm;
    chromatic += sl * chroma * pcm;
    weight += pcm;
  }
  return { fsim: luminance / weight, fsimc: chromatic / weight };
}
