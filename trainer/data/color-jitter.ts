import { z } from 'zod';
import type { SeededRandom } from './seeded-random.js';

/**
 * Photometric augmentation in the manner of torchvision's ColorJitter: each strength j
 * draws a factor uniformly from [max(0, 1 − j), 1 + j]; brightness scales the values,
 * contrast blends with the image's mean gray, saturation with each pixel's gray, applied
 * in that order and clipped to [0, 1]. Off (all 0) by default, as in the reference
 * pix2pix/CycleGAN. It perturbs the model's input side only: the target is what the
 * model must reproduce exactly. Small strengths (0.1-0.2) make a model less sensitive to
 * exposure and white balance of real photos.
 */
export const colorJitterSchema = z
  .object({
    brightness: z.number().min(0).max(1).default(0),
    contrast: z.number().min(0).max(1).default(0),
    saturation: z.number().min(0).max(1).default(0),
  })
  .default({ brightness: 0, contrast: 0, saturation: 0 });
export type ColorJitterOptions = z.infer<typeof colorJitterSchema>;

export interface JitterFactors {
  brightness: number;
  contrast: number;
  saturation: number;
}

/** The factors for one image; undefined when jitter is off. */
export function sampleJitter(options: ColorJitterOptions, rng: SeededRandom): JitterFactors | undefined {
  if (options.brightness === 0 && options.contrast === 0 && options.saturation === 0) return undefined;
  const factor = (strength: number): number => (strength === 0 ? 1 : rng.range(Math.max(0, 1 - strength), 1 + strength));
  return { brightness: factor(options.brightness), contrast: factor(options.contrast), saturation: factor(options.saturation) };
}

/** Jitters interleaved RGB values in [0, 1], in place. */
export function applyJitter(rgb: Float32Array, factors: JitterFactors): void {
  const clamp = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
  let grayTotal = 0;
  for (let p = 0; p < rgb.length; p += 3) {
    for (let c = 0; c < 3; c++) rgb[p + c] = clamp((rgb[p + c] as number) * factors.brightness);
    grayTotal += gray(rgb, p);
  }
  const mean = grayTotal / (rgb.length / 3);
  for (let p = 0; p < rgb.length; p += 3) {
    for (let c = 0; c < 3; c++) rgb[p + c] = clamp(factors.contrast * (rgb[p + c] as number) + (1 - factors.contrast) * mean);
    const g = gray(rgb, p);
    for (let c = 0; c < 3; c++) rgb[p + c] = clamp(factors.saturation * (rgb[p + c] as number) + (1 - factors.saturation) * g);
  }
}

function gray(rgb: Float32Array, p: number): number {
  return 0.299 * (rgb[p] as number) + 0.587 * (rgb[p + 1] as number) + 0.114 * (rgb[p + 2] as number);
}
