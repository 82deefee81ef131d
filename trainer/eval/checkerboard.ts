import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { fft2 } from './fft.js';

export const checkerboardOptionsSchema = z.object({
  /** Periods in pixels whose grids are measured: 2 for one stride-2 upsampling, 4 for two in a row, … */
  periods: z.array(z.number().int().min(2)).min(1).default([2, 4]),
  /** Side of the square tiles whose spectra are averaged (Welch's method); a multiple of every period. */
  tile: z.number().int().min(16).default(64),
  /** Half side, in frequency bins of a tile's spectrum, of the square neighbourhood a peak is compared with. */
  neighbourhood: z.number().int().min(3).default(6),
});
export type CheckerboardOptions = z.input<typeof checkerboardOptionsSchema>;

/** ITU-R BT.601 luma weights, as the Sobel edge maps use. */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * The spectrum peaks a grid artifact of period p leaves, per image of an NHWC batch in
 * [-1, 1]: a stride-p upsampler that treats the p×p output phases differently (the
 * checkerboard of transposed convolutions, Odena et al. 2016) adds energy exactly at the
 * frequencies (a/p, b/p) cycles per pixel, a, b ∈ 0…p−1, not both 0.
 *
 * The power spectrum of the luma is estimated by Welch's method — the mean over tile×tile
 * tiles, overlapping by half, each mean-removed and Hann-windowed — since a single
 * periodogram bin of a whole image fluctuates too much to compare one bin with its
 * neighbours. The tile side is a multiple of every period, so those frequencies fall on bins.
 * For each such frequency: the energy of the 3×3 bins at it (the Hann window spreads a pure
 * tone over them) divided by what 9 bins hold on average in the surrounding
 * (2·neighbourhood+1)² bins (the 3×3 left out; the spectrum wraps around; for a frequency on
 * an axis, the 3 × (2·neighbourhood+1) bins of the axis band around it). A smooth natural
 * spectrum gives about 1, a grid many times that. Per period, the largest ratio over the
 * frequencies that period adds to the smaller periods dividing it (period 4 does not repeat
 * period 2's (½, 0), (0, ½), (½, ½)).
 */
export function checkerboardPeaks(images: tf.Tensor4D, options: CheckerboardOptions = {}): Record<number, number>[] {
  const o = checkerboardOptionsSchema.parse(options);
  const { tile } = o;
  const badPeriod = o.periods.find((p) => tile % p !== 0);
  if (badPeriod !== undefined) throw new Error(`checkerboardPeaks: tile ${tile} is not a multiple of period ${badPeriod}`);
  if (2 * o.neighbourhood + 1 > tile) throw new Error(`checkerboardPeaks: a neighbourhood of ±${o.neighbourhood} bins does not fit a ${tile}-bin spectrum`);
  const [count, height, width] = images.shape;
  if (height < tile || width < tile) throw new Error(`checkerboardPeaks: images must be at least ${tile}×${tile}, got ${width}×${height}`);
  const luma = tf.tidy(() => tf.sum(images.mul(tf.tensor1d([...LUMA])), 3));
  const values = luma.dataSync();
  luma.dispose();
  return Array.from({ length: count }, (_, n) => {
    const power = welchSpectrum(values.subarray(n * height * width, (n + 1) * height * width), height, width, tile);
    const at = (u: number, v: number) => power[mod(u, tile) * tile + mod(v, tile)]!;
    const peakRatio = (u: number, v: number) => {
      let peak = 0;
      let around = 0;
      let aroundBins = 0;
      // On an axis (u or v = 0) the neighbourhood stays on the axis band: the spectra of photos
      // carry more energy on the axes (horizontal and vertical structure) than beside them.
      const du0 = u === 0 ? 1 : o.neighbourhood;
      const dv0 = v === 0 ? 1 : o.neighbourhood;
      for (let du = -du0; du <= du0; du++) {
        for (let dv = -dv0; dv <= dv0; dv++) {
          if (Math.abs(du) <= 1 && Math.abs(dv) <= 1) peak += at(u + du, v + dv);
          else {
            around += at(u + du, v + dv);
            aroundBins++;
          }
        }
      }
      return around > 0 ? peak / ((9 * around) / aroundBins) : 0;
    };
    const ratios: Record<number, number> = {};
    for (const p of o.periods) {
      let worst = 0;
      for (let a = 0; a < p; a++) {
        for (let b = 0; b < p; b++) {
          if (addsToSmallerPeriods(a, b, p)) worst = Math.max(worst, peakRatio((a * tile) / p, (b * tile) / p));
        }
      }
      ratios[p] = worst;
    }
    return ratios;
  });
}

/** Mean |FFT|² of the mean-removed, Hann-windowed tile×tile tiles (stride tile/2, the last ones flush with the far edges) of a rows×cols image. */
function welchSpectrum(image: ArrayLike<number>, rows: number, cols: number, tile: number): Float64Array {
  const starts = (length: number) => {
    const list: number[] = [];
    for (let s = 0; s + tile <= length; s += tile / 2) list.push(s);
    if (list[list.length - 1]! + tile < length) list.push(length - tile);
    return list;
  };
  const hann = Float64Array.from({ length: tile }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / tile));
  const sum = new Float64Array(tile * tile);
  const re = new Float64Array(tile * tile);
  const im = new Float64Array(tile * tile);
  let tiles = 0;
  for (const top of starts(rows)) {
    for (const left of starts(cols)) {
      let mean = 0;
      for (let r = 0; r < tile; r++) for (let c = 0; c < tile; c++) mean += image[(top + r) * cols + left + c]!;
      mean /= tile * tile;
      for (let r = 0; r < tile; r++) for (let c = 0; c < tile; c++) re[r * tile + c] = (image[(top + r) * cols + left + c]! - mean) * hann[r]! * hann[c]!;
      im.fill(0);
      fft2({ re, im }, tile, tile);
      for (let i = 0; i < tile * tile; i++) sum[i] = sum[i]! + re[i]! ** 2 + im[i]! ** 2;
      tiles++;
    }
  }
  return sum.map((x) => x / tiles);
}

/** True when (a/p, b/p) is not a frequency of a smaller period q dividing p (nor 0). */
function addsToSmallerPeriods(a: number, b: number, p: number): boolean {
  if (a === 0 && b === 0) return false;
  for (let q = 1; q < p; q++) if (p % q === 0 && (a * q) % p === 0 && (b * q) % p === 0) return false;
  return true;
}

function mod(x: number, n: number): number {
  return ((x % n) + n) % n;
}
