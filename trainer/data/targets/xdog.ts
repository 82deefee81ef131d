import { gaussianBlur } from './gaussian-blur.js';
import type { GrayImage } from './raster.js';

/**
 * Parameters of XDoG (Winnemöller, Kyprianidis, Olsen 2012, "XDoG: An eXtended
 * difference-of-Gaussians compendium", in its sharpening "p" form):
 *   S = (1 + p)·G_σ(I) − p·G_kσ(I)
 *   T = 1 if S ≥ ε, else 1 + tanh(φ·(S − ε))
 * With ε just below 0, flat areas (S = I ≥ 0) stay white whatever their tone and only the
 * dark side of an edge, where the sharpened signal undershoots, turns into ink.
 */
export interface XdogParams {
  /** Scale of the inner Gaussian, in pixels: the line width. */
  sigma: number;
  /** Ratio of the outer to the inner Gaussian (1.6 approximates a Laplacian of Gaussian). */
  k: number;
  /** Edge sharpening strength: how far an edge must undershoot to become a line. */
  p: number;
  /** Threshold on S; lower values keep only stronger edges. */
  epsilon: number;
  /** Steepness of the tanh ramp below the threshold: higher is crisper, lower is softer. */
  phi: number;
}

/** Dark lines on white, values in [0, 1], from a luminance image in [0, 1]. */
export function xdog(image: GrayImage, params: XdogParams): GrayImage {
  const { sigma, k, p, epsilon, phi } = params;
  const inner = gaussianBlur(image, sigma).data;
  const outer = gaussianBlur(image, sigma * k).data;
  const out = new Float32Array(inner.length);
  for (let i = 0; i < out.length; i++) {
    const s = (1 + p) * (inner[i] as number) - p * (outer[i] as number);
    out[i] = s >= epsilon ? 1 : 1 + Math.tanh(phi * (s - epsilon));
  }
  return { width: image.width, height: image.height, data: out };
}
