import * as tf from '@tensorflow/tfjs';
import type { ImagePairDataset } from '../data/loader.js';
import type { ImageFeatureExtractor } from '../feature-networks.js';
import { extractFeatures } from './feature-sets.js';
import { fid } from './fid.js';
import { kid } from './kid.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';

export interface GeneratorEvaluation {
  /** Means over the held-out images: psnr, ssim; distribution scores: fid, kid. */
  metrics: Record<string, number>;
  /** The network FID/KID features came from (never assume Inception). */
  featureExtractor: string;
  images: number;
  /** Side of the square sample images. */
  size: number;
  /** The first few examples as raw RGB buffers (input, output, target) for sample grids. */
  samples: { input: Buffer; output: Buffer; target: Buffer }[];
}

/**
 * Runs a generator over a held-out split and scores it against the targets: PSNR and SSIM
 * per image, FID and KID between the output and target distributions.
 */
export async function evaluateGenerator(
  generator: tf.LayersModel,
  heldOut: ImagePairDataset,
  extractor: ImageFeatureExtractor,
  options: { samples?: number } = {},
): Promise<GeneratorEvaluation> {
  const psnrs: number[] = [];
  const ssims: number[] = [];
  const outputs: tf.Tensor4D[] = [];
  const targets: tf.Tensor4D[] = [];
  const samples: GeneratorEvaluation['samples'] = [];
  const wanted = options.samples ?? 4;
  try {
    for await (const batch of heldOut.batches(0)) {
      const output = tf.tidy(() => generator.predict(batch.a) as tf.Tensor4D);
      // An exact reproduction has infinite PSNR; cap it so one such image cannot make the mean infinite.
      psnrs.push(...psnr(output, batch.b).map((db) => Math.min(db, maxPsnrDb)));
      ssims.push(...ssim(output, batch.b));
      for (let i = 0; i < batch.a.shape[0] && samples.length < wanted; i++) {
        const [input, out, target] = await Promise.all([batch.a, output, batch.b].map((t) => toRgb(t, i)));
        samples.push({ input: input!, output: out!, target: target! });
      }
      outputs.push(output);
      targets.push(batch.b);
      batch.a.dispose();
      batch.bEdgeSmoothed?.dispose();
    }
    const [fakeFeatures, realFeatures] = [await extractFeatures(extractor, outputs), await extractFeatures(extractor, targets)];
    const metrics: Record<string, number> = { psnr: mean(psnrs), ssim: mean(ssims) };
    if (fakeFeatures.count >= 2 && realFeatures.count >= 2) {
      metrics.fid = fid(fakeFeatures, realFeatures).value;
      metrics.kid = kid(fakeFeatures, realFeatures, { subsets: 20 }).value;
    }
    return { metrics, featureExtractor: extractor.name, images: psnrs.length, size: outputs[0]?.shape[1] ?? 0, samples };
  } finally {
    for (const t of [...outputs, ...targets]) t.dispose();
  }
}

const maxPsnrDb = 100;

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

/** Image `i` of a [-1,1] batch as raw 8-bit RGB. */
async function toRgb(batch: tf.Tensor4D, i: number): Promise<Buffer> {
  const pixels = tf.tidy(() => batch.slice([i, 0, 0, 0], [1, -1, -1, -1]).add(1).mul(127.5).round().clipByValue(0, 255).toInt());
  const data = await pixels.data();
  pixels.dispose();
  return Buffer.from(Uint8Array.from(data));
}
