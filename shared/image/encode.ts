import type { Sharp } from 'sharp';
import { z } from 'zod';
import type { OutputFormat } from '../queue/contracts.js';
import { assertRawRgb, rgbChannels } from './raw-rgb.js';
import { sharp } from './sharp.js';

const side = z.number().int().positive();

/**
 * Encoder settings per output format. Stylised outputs have sharp coloured lines, so JPEG
 * keeps full-resolution chroma (4:4:4) instead of the default 4:2:0, which smears them.
 */
const encoders: Record<OutputFormat, (image: Sharp) => Sharp> = {
  png: (image) => image.png(),
  jpeg: (image) => image.jpeg({ quality: 90, chromaSubsampling: '4:4:4' }),
  webp: (image) => image.webp({ quality: 90 }),
};

/** Encodes raw RGB (width*height*3 bytes, sRGB) into the requested format, with no metadata. */
export async function encodeImage(raw: Buffer, width: number, height: number, format: OutputFormat): Promise<Buffer> {
  side.parse(width);
  side.parse(height);
  assertRawRgb(raw, width, height);
  return encoders[format](sharp(raw, { raw: { width, height, channels: rgbChannels } })).toBuffer();
}
