import { z } from 'zod';
import type { DecodedImage } from './decode.js';
import { fitLongSide, nativeInputDimensions } from './geometry.js';
import { assertRawRgb, rgbChannels } from './raw-rgb.js';
import { sharp } from './sharp.js';

/** Where the image content (width × height at left, top) sits inside the model input (inputWidth × inputHeight). */
export interface Letterbox {
  inputWidth: number;
  inputHeight: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

const sideSchema = z.number().int().positive();
const letterboxSchema = z
  .object({
    inputWidth: sideSchema,
    inputHeight: sideSchema,
    left: z.number().int().nonnegative(),
    top: z.number().int().nonnegative(),
    width: sideSchema,
    height: sideSchema,
  })
  .refine((box) => box.left + box.width <= box.inputWidth && box.top + box.height <= box.inputHeight, 'the content must lie inside the model input');

/**
 * Fits the image inside size×size keeping aspect ratio, centred, and pads the rest by
 * mirroring the image (edge row/column repeated, then reflected), so that convolutions see
 * no hard edge; returns raw RGB size*size*3.
 */
export async function letterbox(img: DecodedImage, size: number): Promise<{ pixels: Buffer; box: Letterbox }> {
  sideSchema.parse(size);
  assertRawRgb(img.data, img.width, img.height);
  const { width, height } = fitLongSide(img.width, img.height, size);
  const box: Letterbox = { inputWidth: size, inputHeight: size, left: Math.floor((size - width) / 2), top: Math.floor((size - height) / 2), width, height };
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

/**
 * The input of a fully convolutional model: the image at its own size (longest side capped at
 * `maxSide`), padded on the right and bottom up to multiples of `multiple` by mirroring, as
 * `letterbox` pads; returns raw RGB and where the content sits.
 */
export async function padToMultiple(img: DecodedImage, maxSide: number, multiple: number): Promise<{ pixels: Buffer; box: Letterbox }> {
  assertRawRgb(img.data, img.width, img.height);
  const { width, height, paddedWidth, paddedHeight } = nativeInputDimensions(img.width, img.height, maxSide, multiple);
  const box: Letterbox = { inputWidth: paddedWidth, inputHeight: paddedHeight, left: 0, top: 0, width, height };
  const pixels = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: rgbChannels } })
    .resize(width, height, { fit: 'fill' })
    .extend({ right: paddedWidth - width, bottom: paddedHeight - height, extendWith: 'mirror' })
    .raw()
    .toBuffer();
  return { pixels, box };
}

/** Crops the padding away from a model's raw RGB output (box.inputWidth × box.inputHeight) and resizes to outWidth×outHeight (raw RGB). */
export async function unletterbox(pixels: Buffer, box: Letterbox, outWidth: number, outHeight: number): Promise<Buffer> {
  const { inputWidth, inputHeight, left, top, width, height } = letterboxSchema.parse(box);
  sideSchema.parse(outWidth);
  sideSchema.parse(outHeight);
  assertRawRgb(pixels, inputWidth, inputHeight);
  return sharp(pixels, { raw: { width: inputWidth, height: inputHeight, channels: rgbChannels } })
    .extract({ left, top, width, height })
    .resize(outWidth, outHeight, { fit: 'fill' })
    .raw()
    .toBuffer();
}
