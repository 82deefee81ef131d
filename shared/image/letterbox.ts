import { z } from 'zod';
import type { DecodedImage } from './decode.js';
import { fitLongSide } from './geometry.js';
import { assertRawRgb, rgbChannels } from './raw-rgb.js';
import { sharp } from './sharp.js';

/** Where the image content sits inside the square model input. */
export interface Letterbox {
  size: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

const sideSchema = z.number().int().positive();
const letterboxSchema = z
  .object({
    size: sideSchema,
    left: z.number().int().nonnegative(),
    top: z.number().int().nonnegative(),
    width: sideSchema,
    height: sideSchema,
  })
  .refine((box) => box.left + box.width <= box.size && box.top + box.height <= box.size, 'the content must lie inside the square');

/**
 * Fits the image inside size×size keeping aspect ratio, centred, and pads the rest by
 * mirroring the image (edge row/column repeated, then reflected), so that convolutions see
 * no hard edge; returns raw RGB size*size*3.
 */
export async function letterbox(img: DecodedImage, size: number): Promise<{ pixels: Buffer; box: Letterbox }> {
  sideSchema.parse(size);
  assertRawRgb(img.data, img.width, img.height);
  const { width, height } = fitLongSide(img.width, img.height, size);
  const box: Letterbox = { size, left: Math.floor((size - width) / 2), top: Math.floor((size - height) / 2), width, height };
  const pixels = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: rgbChannels } })
    .resize(width, height, { fit: 'fill' })
    .extend({
      left: box.left,
      right: size - width - box.left,
      top: box.top,
      bottom: size - height - box.top,
      extendWith: 'mirror',
    })
    .raw()
    .toBuffer();
  return { pixels, box };
}

/** Crops the padding away from a size×size raw RGB output and resizes to outWidth×outHeight (raw RGB). */
export async function unletterbox(pixels: Buffer, box: Letterbox, outWidth: number, outHeight: number): Promise<Buffer> {
  const { size, left, top, width, height } = letterboxSchema.parse(box);
  sideSchema.parse(outWidth);
  sideSchema.parse(outHeight);
  assertRawRgb(pixels, size, size);
  return sharp(pixels, { raw: { width: size, height: size, channels: rgbChannels } })
    .extract({ left, top, width, height })
    .resize(outWidth, outHeight, { fit: 'fill' })
    .raw()
    .toBuffer();
}
