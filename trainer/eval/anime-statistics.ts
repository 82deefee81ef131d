import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { sobelMagnitude } from '../../gan/losses/sobel-line-map.js';

export const animeStatisticsOptionsSchema = z.object({
  /** Side of the square window that must be free of gradients for its centre to count as flat. */
  window: z
    .number()
    .int()
    .positive()
    .refine((w) => w % 2 === 1, 'an odd window side')
    .default(5),
  /**
   * Sobel magnitude of the luma in [0, 1] (a ramp of slope s per pixel gives 8s, a step of c
   * gives 4c) below which a pixel has no edge: 0.08 is a ramp of 2.5 grey levels per pixel or
   * a step of 5 levels — less than a photo's sensor noise, more than an anime image's shading.
   */
  threshold: z.number().positive().default(0.08),
  /** Bits kept per channel before colours are counted: 5 gives 32 levels, 32,768 possible colours. */
  colourBits: z.number().int().min(1).max(8).default(5),
});
export type AnimeStatisticsOptions = z.input<typeof animeStatisticsOptionsSchema>;

export interface AnimeStatistics {
  /** Fraction of pixels in flat regions: every pixel of the window around them is below the threshold. */
  flatFraction: number;
  /** Distinct colours after keeping the top `colourBits` bits of each channel. */
  colours: number;
}

/**
 * Statistics that tell drawn anime images from photos, per image of an NHWC batch in [-1, 1]:
 * large flat-colour regions (a pixel is flat when the Sobel magnitude of the luma stays below
 * `threshold` over the whole `window`×`window` neighbourhood; the image border is reflected)
 * and a small palette (the distinct colours after quantizing each channel to `colourBits`
 * bits). The colour count grows with the pixel count, so compare images of similar sizes.
 */
export function animeStatistics(images: tf.Tensor4D, options: AnimeStatisticsOptions = {}): AnimeStatistics[] {
  const o = animeStatisticsOptionsSchema.parse(options);
  const [count, height, width] = images.shape;
  const measured = tf.tidy(() => {
    const strongestNearby = tf.maxPool(sobelMagnitude(images), o.window, 1, 'same');
    const flat = tf.mean(tf.less(strongestNearby, o.threshold).toFloat(), [1, 2, 3]);
    const levels = images.add(1).mul(127.5).round().clipByValue(0, 255).toInt();
    return { flat, levels };
  });
  const flat = measured.flat.dataSync();
  const levels = measured.levels.dataSync();
  tf.dispose([measured.flat, measured.levels]);
  const shift = 8 - o.colourBits;
  const perImage = height * width;
  return Array.from({ length: count }, (_, n) => {
    const seen = new Set<number>();
    for (let p = n * perImage; p < (n + 1) * perImage; p++) {
      seen.add(((levels[3 * p]! >> shift) << (2 * o.colourBits)) | ((levels[3 * p + 1]! >> shift) << o.colourBits) | (levels[3 * p + 2]! >> shift));
    }
    return { flatFraction: flat[n]!, colours: seen.size };
  });
}
