import { z } from 'zod';

const side = z.number().int().positive();

/** The size of a width×height image scaled so that its longest side is `longSide`, keeping the aspect ratio (no side below 1). */
export function fitLongSide(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = longSide / Math.max(width, height);
  const scaled = (length: number) => Math.max(1, Math.round(length * scale));
  return width >= height ? { width: longSide, height: scaled(height) } : { width: scaled(width), height: longSide };
}

/**
 * Output dimensions keeping aspect ratio: longest side = requested (if given) else
 * min(input longest side, maxSide). A request is honoured as is, up- or downscaling; it is
 * the caller's edge (e.g. the job schema) that bounds what may be requested.
 */
export function outputDimensions(width: number, height: number, requestedLongSide: number | undefined, maxSide: number): { width: number; height: number } {
  side.parse(width);
  side.parse(height);
  side.optional().parse(requestedLongSide);
  side.parse(maxSide);
  return fitLongSide(width, height, requestedLongSide ?? Math.min(Math.max(width, height), maxSide));
}

/**
 * Where a fully convolutional model runs an image: at its own size, the longest side capped at
 * `maxSide` (scaled down keeping the aspect ratio, never up), each side then padded up to a
 * multiple of `multiple` (the network's total downsampling).
 */
export function nativeInputDimensions(width: number, height: number, maxSide: number, multiple: number): { width: number; height: number; paddedWidth: number; paddedHeight: number } {
  side.parse(width);
  side.parse(height);
  side.parse(maxSide);
  side.parse(multiple);
  const content = Math.max(width, height) > maxSide ? fitLongSide(width, height, maxSide) : { width, height };
  const padded = (length: number) => Math.ceil(length / multiple) * multiple;
  return { ...content, paddedWidth: padded(content.width), paddedHeight: padded(content.height) };
}
