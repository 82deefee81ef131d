import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DatasetError } from './dataset-error.js';
import type { RgbImage } from './targets/raster.js';

/**
 * Decodes an image file to 8-bit sRGB pixels, upright (EXIF orientation applied),
 * transparency flattened onto white and grayscale expanded to three channels. A file
 * that does not decode cleanly fails with a DatasetError naming it.
 */
export async function decodeRgbFile(file: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError('missing', file, `${file} has disappeared.`);
    throw err;
  }
  return decodeRgb(bytes, file);
}

export async function decodeRgb(bytes: Uint8Array, file: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'warning' })
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new DatasetError('corrupt', file, `${file} could not be decoded as an image (${(err as Error).message}).`);
  }
}
