import type { GrayImage } from './raster.js';

/** A normalised 1-D Gaussian kernel reaching 3 sigma on each side. */
function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new RangeError(`sigma must be positive, got ${sigma}`);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] as number) / sum;
  return kernel;
}

/**
 * Separable Gaussian blur of a one-channel image; borders replicate the edge pixel, so a
 * flat image stays flat up to its edges. The loops are arranged so the inner ones are
 * branch-free and walk memory in order (rows through a padded copy, columns as whole
 * rows at a time), which keeps a 256 px image at a few ms.
 */
export function gaussianBlur(image: GrayImage, sigma: number): GrayImage {
  const { width, height, data } = image;
  const kernel = gaussianKernel(sigma);
  const taps = kernel.length;
  const radius = (taps - 1) / 2;

  const rows = new Float32Array(data.length);
  const padded = new Float32Array(width + 2 * radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    padded.fill(data[row] as number, 0, radius);
    padded.set(data.subarray(row, row + width), radius);
    padded.fill(data[row + width - 1] as number, radius + width);
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += (kernel[k] as number) * (padded[x + k] as number);
      rows[row + x] = acc;
    }
  }

  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    const dst = y * width;
    for (let k = 0; k < taps; k++) {
      const src = Math.min(height - 1, Math.max(0, y + k - radius)) * width;
      const w = kernel[k] as number;
      for (let x = 0; x < width; x++) out[dst + x] = (out[dst + x] as number) + w * (rows[src + x] as number);
    }
  }
  return { width, height, data: out };
}
