import { bilateralFilter, type BilateralParams } from './bilateral-filter.js';
import { kmeansQuantize, type KmeansParams } from './kmeans-quantize.js';
import { luminance, type RgbImage } from './raster.js';
import { xdog, type XdogParams } from './xdog.js';

/**
 * The `toon` style's target, after Winnemöller, Olsen & Gooch 2006 "Real-time video
 * abstraction": iterated bilateral smoothing flattens shading (edges are taken after the
 * first `edgeIterations`, colours after all of them), k-means quantizes the colours to a
 * small palette of flat areas, and XDoG lines are inked on top (multiplied, so a full
 * line is black and a faint one darkens the colour under it).
 */
export interface ToonParams {
  smoothing: BilateralParams;
  /** Bilateral iterations before the ink lines are found (of `smoothing.iterations`). */
  edgeIterations: number;
  colors: Omit<KmeansParams, 'seed'>;
  ink: XdogParams;
}

export const defaultToonParams: ToonParams = {
  smoothing: { sigmaSpatial: 3, sigmaRange: 40, iterations: 2 },
  edgeIterations: 1,
  colors: { k: 8, iterations: 8, samples: 4096 },
  ink: { sigma: 1.2, k: 1.6, p: 40, epsilon: -0.1, phi: 5 },
};

export interface ToonResult {
  /** The final image: flat colours with ink lines. */
  image: RgbImage;
  /** The flat colours before inking (at most `colors.k` distinct colours). */
  flat: RgbImage;
}

export function toon(image: RgbImage, params: ToonParams = defaultToonParams, seed = 0): ToonResult {
  const edgeIterations = Math.min(params.edgeIterations, params.smoothing.iterations);
  const forEdges = bilateralFilter(image, { ...params.smoothing, iterations: edgeIterations });
  const smoothed = bilateralFilter(forEdges, { ...params.smoothing, iterations: params.smoothing.iterations - edgeIterations });
  const flat = kmeansQuantize(smoothed, { ...params.colors, seed });
  const lines = xdog(luminance(forEdges), params.ink).data;
  const data = new Uint8Array(flat.data.length);
  for (let i = 0, p = 0; i < lines.length; i++, p += 3) {
    const ink = lines[i] as number;
    data[p] = Math.round((flat.data[p] as number) * ink);
    data[p + 1] = Math.round((flat.data[p + 1] as number) * ink);
    data[p + 2] = Math.round((flat.data[p + 2] as number) * ink);
  }
  return { image: { width: image.width, height: image.height, data }, flat };
}
