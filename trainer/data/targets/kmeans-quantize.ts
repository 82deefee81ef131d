import { SeededRandom } from '../seeded-random.js';
import type { RgbImage } from './raster.js';

/**
 * Colour quantization by k-means in RGB (Lloyd's iterations, k-means++ seeding). The
 * centres are fitted on a random subsample of pixels, which is enough for a palette and
 * keeps it fast; then every pixel takes its nearest centre. The output has at most `k`
 * distinct colours.
 */
export interface KmeansParams {
  k: number;
  iterations: number;
  /** Pixels sampled to fit the centres. */
  samples: number;
  seed: number;
}

export function kmeansQuantize(image: RgbImage, params: KmeansParams): RgbImage {
  const { k, iterations, samples, seed } = params;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const rng = new SeededRandom(seed);
  const pixels = image.width * image.height;
  const count = Math.min(samples, pixels);
  const sample = new Float32Array(count * 3);
  for (let s = 0; s < count; s++) {
    const p = (count === pixels ? s : rng.int(0, pixels - 1)) * 3;
    sample[s * 3] = image.data[p] as number;
    sample[s * 3 + 1] = image.data[p + 1] as number;
    sample[s * 3 + 2] = image.data[p + 2] as number;
  }

  const centres = seedCentres(sample, count, k, rng);
  const labels = new Int32Array(count);
  for (let it = 0; it < iterations; it++) {
    for (let s = 0; s < count; s++) labels[s] = nearest(centres, k, sample[s * 3] as number, sample[s * 3 + 1] as number, sample[s * 3 + 2] as number);
    const sums = new Float64Array(k * 3);
    const sizes = new Int32Array(k);
    for (let s = 0; s < count; s++) {
      const c = labels[s] as number;
      sums[c * 3] = (sums[c * 3] as number) + (sample[s * 3] as number);
      sums[c * 3 + 1] = (sums[c * 3 + 1] as number) + (sample[s * 3 + 1] as number);
      sums[c * 3 + 2] = (sums[c * 3 + 2] as number) + (sample[s * 3 + 2] as number);
      sizes[c] = (sizes[c] as number) + 1;
    }
    for (let c = 0; c < k; c++) {
      const n = sizes[c] as number;
      if (n === 0) continue; // an empty cluster keeps its centre
      centres[c * 3] = (sums[c * 3] as number) / n;
      centres[c * 3 + 1] = (sums[c * 3 + 1] as number) / n;
      centres[c * 3 + 2] = (sums[c * 3 + 2] as number) / n;
    }
  }

  const palette = new Uint8Array(k * 3);
  for (let i = 0; i < palette.length; i++) palette[i] = Math.round(centres[i] as number);
  const data = new Uint8Array(image.data.length);
  for (let p = 0; p < data.length; p += 3) {
    const c = nearest(centres, k, image.data[p] as number, image.data[p + 1] as number, image.data[p + 2] as number) * 3;
    data[p] = palette[c] as number;
    data[p + 1] = palette[c + 1] as number;
    data[p + 2] = palette[c + 2] as number;
  }
  return { width: image.width, height: image.height, data };
}

function nearest(centres: Float32Array, k: number, r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const dr = r - (centres[c * 3] as number);
    const dg = g - (centres[c * 3 + 1] as number);
    const db = b - (centres[c * 3 + 2] as number);
    const d = dr * dr + dg * dg + db * db;
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

/** k-means++: each next centre is a sample drawn with probability ∝ squared distance to the nearest chosen one. */
function seedCentres(sample: Float32Array, count: number, k: number, rng: SeededRandom): Float32Array {
  const centres = new Float32Array(k * 3);
  const first = rng.int(0, count - 1) * 3;
  centres.set(sample.subarray(first, first + 3), 0);
  const distances = new Float64Array(count).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let s = 0; s < count; s++) {
      const dr = (sample[s * 3] as number) - (centres[(c - 1) * 3] as number);
      const dg = (sample[s * 3 + 1] as number) - (centres[(c - 1) * 3 + 1] as number);
      const db = (sample[s * 3 + 2] as number) - (centres[(c - 1) * 3 + 2] as number);
      distances[s] = Math.min(distances[s] as number, dr * dr + dg * dg + db * db);
      total += distances[s] as number;
    }
    let target = rng.next() * total;
    let chosen = count - 1;
    for (let s = 0; s < count; s++) {
      target -= distances[s] as number;
      if (target <= 0) {
        chosen = s;
        break;
      }
    }
    centres.set(sample.subarray(chosen * 3, chosen * 3 + 3), c * 3);
  }
  return centres;
}
