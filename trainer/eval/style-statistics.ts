import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeImage, outputDimensions, type DecodedImage, type ImageLimits } from '../../shared/image/codec.js';
import { rgbChannels } from '../../shared/image/raw-rgb.js';
import { sharp } from '../../shared/image/sharp.js';
import { isImageFile } from '../data/dataset-layout.js';
import { animeStatistics } from './anime-statistics.js';
import { checkerboardPeaks, checkerboardOptionsSchema } from './checkerboard.js';
import { edgeCorrelation } from './edge-correlation.js';
import type { ImageFeatureExtractor } from '../feature-networks.js';
import { concatFeatureSets, extractFeatures, type FeatureSet } from './feature-sets.js';
import { kid, type KidResult } from './kid.js';

/** Means over a set of images of the per-image style statistics. */
export interface ImageSetStatistics {
  images: number;
  flatFraction: number;
  colours: number;
  /**
   * Checkerboard peak / neighbourhood energy ratio, per period in pixels; for photos and
   * outputs measured on the network's own input and output (before any resize hides a grid).
   */
  checkerboard: Record<number, number>;
  /** KID between this set and the anime set (photos and outputs only; needs 2 images in each). */
  kidToAnime?: KidResult;
}

export interface StyleStatistics {
  photos: ImageSetStatistics;
  outputs: ImageSetStatistics & {
    /** Mean correlation of each output's edge map with its photo's (content kept). */
    edgeCorrelation: number;
  };
  anime: ImageSetStatistics;
  /** The network KID's features came from (see feature-extractor.ts). */
  featureExtractor: string;
  /** Every image was measured with its longest side at most this. */
  maxSide: number;
}

export interface StyleStatisticsRequest {
  photosDir: string;
  animeDir: string;
  /**
   * The style's model on a decoded photo, as the worker runs it: the result (raw RGB of
   * `output`'s size) and the network's own input and output, at the network's resolution.
   */
  translate(image: DecodedImage, output: { width: number; height: number }): Promise<{ styled: Buffer; network: { input: RawImage; output: RawImage } }>;
  extractor: ImageFeatureExtractor;
  /** Images are measured (and photos translated) with their longest side capped at this. */
  maxSide: number;
  limits: ImageLimits;
  /** Called after each image with the images done and the total. */
  onProgress?(done: number, total: number, file: string): void;
}

/** Raw RGB pixels and their size. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
}

/** A folder or image to measure that cannot be used (missing, empty, not an image); the message names it. */
export class StyleInputError extends Error {
  override readonly name = 'StyleInputError';
}

/**
 * Measures a style against its goal: each held-out photo is translated (at its own size,
 * longest side capped at maxSide, as the worker does with MAX_OUTPUT_SIDE) and the photos,
 * the outputs and the held-out anime images (downscaled to the same cap) are each summarised
 * by the anime statistics (flat fraction, colour count), the checkerboard peak ratios (of
 * the network's own input and output for photos and outputs: a grid in a 256 px output that
 * is then enlarged no longer sits at period 2 of the result) and,
 * for photos and outputs, KID to the anime images; the outputs also by how well their edges
 * keep the photos'. A style that works moves the outputs' values from the photos' toward the
 * anime images' while its edge correlation stays high.
 */
export async function styleStatistics(req: StyleStatisticsRequest): Promise<StyleStatistics> {
  const [photoFiles, animeFiles] = await Promise.all([imageFiles(req.photosDir), imageFiles(req.animeDir)]);
  const total = photoFiles.length + animeFiles.length;
  let done = 0;
  const step = (file: string) => req.onProgress?.(++done, total, file);

  const photos = new SetAccumulator();
  const outputs = new SetAccumulator();
  const anime = new SetAccumulator();
  const correlations: number[] = [];
  for (const file of photoFiles) {
    const image = await decodeFile(file, req.limits);
    const size = outputDimensions(image.width, image.height, undefined, req.maxSide);
    const [input, translated] = await Promise.all([resized(image, size), req.translate(image, size)]);
    const tensors = [toTensor({ data: input, ...size }), toTensor({ data: translated.styled, ...size })] as const;
    const network = [toTensor(translated.network.input), toTensor(translated.network.output)] as const;
    try {
      await photos.add(tensors[0], network[0], req.extractor);
      await outputs.add(tensors[1], network[1], req.extractor);
      correlations.push(...edgeCorrelation(...tensors));
    } finally {
      tf.dispose([...tensors, ...network]);
    }
    step(file);
  }
  for (const file of animeFiles) {
    const image = await decodeFile(file, req.limits);
    const size = outputDimensions(image.width, image.height, undefined, req.maxSide);
    const tensor = toTensor({ data: await resized(image, size), ...size });
    try {
      await anime.add(tensor, tensor, req.extractor);
    } finally {
      tensor.dispose();
    }
    step(file);
  }
  const animeFeatures = anime.features();
  return {
    photos: photos.summary(animeFeatures),
    outputs: { ...outputs.summary(animeFeatures), edgeCorrelation: mean(correlations) },
    anime: anime.summary(),
    featureExtractor: req.extractor.name,
    maxSide: req.maxSide,
  };
}

/** Per-image statistics and features of one set, summarised at the end. */
class SetAccumulator {
  private readonly flat: number[] = [];
  private readonly colours: number[] = [];
  private readonly peaks: Record<number, number>[] = [];
  private readonly featureSets: FeatureSet[] = [];

  /** `image` as the user sees it; `atNetworkScale` as the network saw or made it (for the checkerboard). */
  async add(image: tf.Tensor4D, atNetworkScale: tf.Tensor4D, extractor: ImageFeatureExtractor): Promise<void> {
    for (const s of animeStatistics(image)) {
      this.flat.push(s.flatFraction);
      this.colours.push(s.colours);
    }
    this.peaks.push(...checkerboardPeaks(atNetworkScale));
    this.featureSets.push(await extractFeatures(extractor, [image]));
  }

  features(): FeatureSet | undefined {
    return this.featureSets.length ? concatFeatureSets(this.featureSets) : undefined;
  }

  summary(anime?: FeatureSet): ImageSetStatistics {
    const periods = checkerboardOptionsSchema.parse({}).periods;
    const own = this.features();
    return {
      images: this.flat.length,
      flatFraction: mean(this.flat),
      colours: mean(this.colours),
      checkerboard: Object.fromEntries(periods.map((p) => [p, mean(this.peaks.map((r) => r[p]!))])),
      ...(anime && own && anime.count >= 2 && own.count >= 2 ? { kidToAnime: kid(own, anime, { subsets: 20 }) } : {}),
    };
  }
}

async function imageFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new StyleInputError(`cannot read ${dir}: ${err.code === 'ENOENT' ? 'no such folder' : err.message}`);
  });
  const files = names
    .filter(isImageFile)
    .sort()
    .map((name) => path.join(dir, name));
  if (!files.length) throw new StyleInputError(`${dir} holds no images (png, jpg, webp, …)`);
  return files;
}

async function decodeFile(file: string, limits: ImageLimits): Promise<DecodedImage> {
  try {
    return await decodeImage(await readFile(file), limits);
  } catch (err) {
    throw new StyleInputError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function resized(image: DecodedImage, size: { width: number; height: number }): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: rgbChannels } })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer();
}

/** Raw RGB → [1, H, W, 3] in [-1, 1]. Caller disposes. */
function toTensor(image: RawImage): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from(image.data, (v) => v / 127.5 - 1),
    [1, image.height, image.width, rgbChannels],
  );
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}
