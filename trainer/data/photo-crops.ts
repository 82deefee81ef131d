import sharp from 'sharp';
import { applyTransform } from './preprocess.js';
import type { SeededRandom } from './seeded-random.js';
import type { RgbImage } from './targets/raster.js';

/** Decodes a photo, shrunk so its longer side is at most `maxSide` (crops need no more). */
export async function loadPhoto(file: string, maxSide: number): Promise<RgbImage> {
  const { data, info } = await sharp(file)
    .autoOrient()
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * A random square of a photo, from 35% to all of its shorter side (so both close-ups and
 * whole views), mirrored half of the time, resized to `size`.
 */
export function randomCrop(photo: RgbImage, size: number, rng: SeededRandom): Promise<RgbImage> {
  const side = Math.max(8, Math.round(Math.min(photo.width, photo.height) * rng.range(0.35, 1)));
  const region = { left: rng.int(0, photo.width - side), top: rng.int(0, photo.height - side), width: side, height: side };
  return applyTransform(photo, { resize: { width: size, height: size }, flip: rng.bool() }, region);
}
