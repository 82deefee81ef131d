/** An 8-bit RGB image, pixels interleaved row by row (what sharp's `.raw()` gives for 3 channels). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A one-channel float image, values usually in [0, 1]. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Rec. 601 luma in [0, 1]. */
export function luminance(image: RgbImage): GrayImage {
  const { width, height, data } = image;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = (0.299 * (data[p] as number) + 0.587 * (data[p + 1] as number) + 0.114 * (data[p + 2] as number)) / 255;
  }
  return { width, height, data: out };
}

/** A gray image in [0, 1] as RGB with equal channels. */
export function grayToRgb(image: GrayImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, p = 0; i < data.length; i++, p += 3) {
    const v = Math.round(Math.min(1, Math.max(0, data[i] as number)) * 255);
    out[p] = v;
    out[p + 1] = v;
    out[p + 2] = v;
  }
  return { width, height, data: out };
}
