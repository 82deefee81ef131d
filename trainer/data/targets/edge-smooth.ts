import sharp from 'sharp';
import { decodeRgb } from '../decode-rgb.js';
import { luminance, type RgbImage } from './raster.js';

/**
 * The edge-smoothed copy of an anime image that AnimeGAN's edge-promoting adversarial loss
 * shows the discriminator as a negative (Chen et al. 2019, AnimeGAN, following CartoonGAN;
 * their tools/edge_smooth.py), so that it learns to want crisp outlines. As that script:
 * - edges: Canny on the 0–255 gray image with thresholds 100 and 200, 3×3 Sobel and the
 *   L1 gradient magnitude |gx| + |gy| (OpenCV's defaults), no blur before it;
 * - dilated by a 5×5 square;
 * - at the dilated edge pixels only, each channel replaced by its 5×5 Gaussian average
 *   (σ = 1.1, what OpenCV's getGaussianKernel(5, 0) gives), borders reflected without
 *   repeating the edge pixel (numpy's `reflect`); every other pixel stays as it is.
 */
export const edgeSmoothParams = { lowThreshold: 100, highThreshold: 200, dilateRadius: 2, blurRadius: 2, blurSigma: 1.1 } as const;

export function edgeSmooth(image: RgbImage): RgbImage {
  const { width, height } = image;
  const mask = dilate(cannyEdges(image), width, height, edgeSmoothParams.dilateRadius);
  const r = edgeSmoothParams.blurRadius;
  const kernel = gaussianKernel2d(r, edgeSmoothParams.blurSigma);
  const out = new Uint8Array(image.data);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let dy = -r; dy <= r; dy++) {
          const yy = reflect(y + dy, height);
          for (let dx = -r; dx <= r; dx++) {
            acc += (kernel[(dy + r) * (2 * r + 1) + dx + r] as number) * (image.data[(yy * width + reflect(x + dx, width)) * 3 + c] as number);
          }
        }
        out[(y * width + x) * 3 + c] = Math.round(acc);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * The edge-smoothed copy of an image file's bytes, encoded as the original was (JPEG at
 * quality 95 for `.jpg`/`.jpeg`, WebP lossless for `.webp`, else PNG), so that it can be
 * stored under the same name. `label` names the file in errors.
 */
export async function edgeSmoothFile(bytes: Uint8Array, extension: string, label: string): Promise<Buffer> {
  const smoothed = edgeSmooth(await decodeRgb(bytes, label));
  const pipeline = sharp(smoothed.data, { raw: { width: smoothed.width, height: smoothed.height, channels: 3 } });
  const ext = extension.toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return pipeline.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
  if (ext === '.webp') return pipeline.webp({ lossless: true }).toBuffer();
  return pipeline.png().toBuffer();
}

/** Canny's edge map (1 = edge) of an image's 0–255 luma. */
export function cannyEdges(image: RgbImage): Uint8Array {
  const { width, height } = image;
  const luma = luminance(image).data;
  const gray = (x: number, y: number): number => 255 * (luma[reflect(y, height) * width + reflect(x, width)] as number);
  const magnitude = new Float32Array(width * height);
  const direction = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = gray(x + 1, y - 1) + 2 * gray(x + 1, y) + gray(x + 1, y + 1) - gray(x - 1, y - 1) - 2 * gray(x - 1, y) - gray(x - 1, y + 1);
      const gy = gray(x - 1, y + 1) + 2 * gray(x, y + 1) + gray(x + 1, y + 1) - gray(x - 1, y - 1) - 2 * gray(x, y - 1) - gray(x + 1, y - 1);
      const i = y * width + x;
      magnitude[i] = Math.abs(gx) + Math.abs(gy);
      // Gradient direction quantised to 0°, 45°, 90°, 135° (tan 22.5° ≈ 0.4142).
      const ax = Math.abs(gx);
      const ay = Math.abs(gy);
      direction[i] = ay <= ax * 0.4142 ? 0 : ay >= ax * 2.4142 ? 2 : gx * gy > 0 ? 1 : 3;
    }
  }
  const neighbour = [
    [1, 0],
    [1, 1],
    [0, 1],
    [-1, 1],
  ] as const;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : (magnitude[y * width + x] as number));
  // Non-maximum suppression, then hysteresis: strong pixels and weak ones connected to them.
  const state = new Uint8Array(width * height); // 0 none, 1 weak, 2 strong
  const stack: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const m = magnitude[i] as number;
      if (m <= edgeSmoothParams.lowThreshold) continue;
      const [dx, dy] = neighbour[direction[i] as number] as readonly [number, number];
      if (m <= at(x - dx, y - dy) || m < at(x + dx, y + dy)) continue;
      if (m > edgeSmoothParams.highThreshold) {
        state[i] = 2;
        stack.push(i);
      } else state[i] = 1;
    }
  }
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const j = yy * width + xx;
        if (state[j] === 1) {
          state[j] = 2;
          stack.push(j);
        }
      }
    }
  }
  const edges = new Uint8Array(width * height);
  for (let i = 0; i < edges.length; i++) edges[i] = state[i] === 2 ? 1 : 0;
  return edges;
}

/** Dilation by a (2r+1)×(2r+1) square: a horizontal then a vertical line of 2r+1. */
function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return dilateAlong(dilateAlong(mask, width, height, radius, 1, 0), width, height, radius, 0, 1);
}

function dilateAlong(mask: Uint8Array, width: number, height: number, radius: number, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let on = 0;
      for (let k = -radius; k <= radius && !on; k++) {
        const xx = x + k * dx;
        const yy = y + k * dy;
        if (xx >= 0 && yy >= 0 && xx < width && yy < height) on = mask[yy * width + xx] as number;
      }
      out[y * width + x] = on;
    }
  }
  return out;
}

function gaussianKernel2d(radius: number, sigma: number): Float32Array {
  const side = 2 * radius + 1;
  const oneD = Array.from({ length: side }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = oneD.reduce((s, v) => s + v, 0);
  const kernel = new Float32Array(side * side);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) kernel[y * side + x] = ((oneD[y] as number) * (oneD[x] as number)) / (sum * sum);
  return kernel;
}

/** numpy's `reflect` padding (…2 1 | 0 1 2 … n-1 | n-2 …), OpenCV's BORDER_REFLECT_101; images of at least 2 px. */
function reflect(i: number, n: number): number {
  if (i < 0) return -i;
  if (i >= n) return 2 * n - 2 - i;
  return i;
}
