import sharp from 'sharp';
import { z } from 'zod';
import type { SeededRandom } from './seeded-random.js';
import type { RgbImage } from './targets/raster.js';

/**
 * The geometric preprocessing of the pix2pix/CycleGAN reference toolkit
 * (data/base_dataset.py, `--preprocess`, `--load_size`, `--crop_size`, `--no_flip`):
 * - `resize_and_crop`: resize to load_size × load_size, then a random crop_size square;
 * - `crop`: a random crop_size square of the image as it is;
 * - `scale_width`: resize to width load_size keeping the aspect (height at least crop_size);
 * - `scale_width_and_crop`: that, then a random crop_size square;
 * - `none`: only round each side to a multiple of 4 (what the networks' strides need).
 * Then a horizontal flip with probability ½ unless `noFlip`. Resizing is bicubic, as in
 * the reference. Modes without a crop give images of varying size, so they need
 * batch size 1 unless all images have one size.
 */
export const preprocessModes = ['resize_and_crop', 'crop', 'scale_width', 'scale_width_and_crop', 'none'] as const;

export const preprocessShape = {
  preprocess: z.enum(preprocessModes).default('resize_and_crop'),
  loadSize: z.number().int().min(4).max(8192).default(286),
  cropSize: z.number().int().min(4).max(8192).default(256),
  noFlip: z.boolean().default(false),
};
export const preprocessSchema = z.object(preprocessShape);
export type PreprocessOptions = z.infer<typeof preprocessSchema>;

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What to do to one image; the same plan applied to A and B keeps a pair aligned. */
export interface TransformPlan {
  resize?: { width: number; height: number };
  crop?: Region;
  flip: boolean;
}

export function planTransform(width: number, height: number, options: PreprocessOptions, rng: SeededRandom): TransformPlan {
  const { preprocess, loadSize, cropSize } = options;
  let size = { width, height };
  if (preprocess === 'resize_and_crop') size = { width: loadSize, height: loadSize };
  else if (preprocess === 'scale_width' || preprocess === 'scale_width_and_crop') {
    if (!(width === loadSize && height >= cropSize)) size = { width: loadSize, height: Math.floor(Math.max((loadSize * height) / width, cropSize)) };
  } else if (preprocess === 'none') {
    size = { width: Math.max(4, Math.round(width / 4) * 4), height: Math.max(4, Math.round(height / 4) * 4) };
  }
  const resize = size.width !== width || size.height !== height ? size : undefined;

  let crop: Region | undefined;
  if (preprocess === 'resize_and_crop' || preprocess === 'crop' || preprocess === 'scale_width_and_crop') {
    // As the reference: an image no larger than the crop on both sides is left whole.
    if (size.width > cropSize || size.height > cropSize) {
      crop = {
        left: rng.int(0, Math.max(0, size.width - cropSize)),
        top: rng.int(0, Math.max(0, size.height - cropSize)),
        width: Math.min(cropSize, size.width),
        height: Math.min(cropSize, size.height),
      };
    }
  }
  const flip = !options.noFlip && rng.next() > 0.5;
  return { ...(resize ? { resize } : {}), ...(crop ? { crop } : {}), flip };
}

/** Applies a plan to (a region of) an image; the region is how aligned datasets take one half. */
export async function applyTransform(image: RgbImage, plan: TransformPlan, region?: Region): Promise<RgbImage> {
  if (!region && !plan.resize && !plan.crop && !plan.flip) return image;
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (region) pipeline = pipeline.extract(region);
  if (plan.resize) pipeline = pipeline.resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' });
  if (plan.crop) pipeline = pipeline.extract(plan.crop);
  if (plan.flip) pipeline = pipeline.flop();
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
