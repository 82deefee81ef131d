/** Raw RGB: 8-bit samples, 3 channels, rows top to bottom, no padding; the pixel layout every image function here passes around. */
export const rgbChannels = 3;

/** Throws when `pixels` is not exactly a width×height raw RGB image; a caller's mistake, not the user's. */
export function assertRawRgb(pixels: Buffer, width: number, height: number): void {
  const expected = width * height * rgbChannels;
  if (pixels.length !== expected) {
    throw new RangeError(`expected ${width}×${height} raw RGB (${expected} bytes), got ${pixels.length} bytes`);
  }
}
