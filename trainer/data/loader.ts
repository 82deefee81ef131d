import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch } from '../../gan/architecture.js';
import { applyJitter, colorJitterSchema, sampleJitter } from './color-jitter.js';
import { DatasetError } from './dataset-error.js';
import { splitCounts, splitNames, type SplitFiles, type SplitName } from './dataset-layout.js';
import { decodeRgbFile } from './decode-rgb.js';
import { verifyDataset, type Manifest } from './manifest.js';
import { applyTransform, planTransform, preprocessShape } from './preprocess.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import type { RgbImage } from './targets/raster.js';

/**
 * Options of a data loader. The names follow the pix2pix/CycleGAN reference options:
 * `--preprocess`, `--load_size`, `--crop_size`, `--no_flip`, `--serial_batches`,
 * `--direction`, `--batch_size`.
 */
export const loaderOptionsSchema = z.object({
  split: z.enum(splitNames).default('train'),
  batchSize: z.number().int().min(1).max(4096).default(1),
  ...preprocessShape,
  colorJitter: colorJitterSchema,
  /** BtoA swaps the sides: the model learns B → A. */
  direction: z.enum(['AtoB', 'BtoA']).default('AtoB'),
  /** Keep the file order, and for unaligned data pair A[i] with B[i mod |B|] instead of a random B. */
  serialBatches: z.boolean().default(false),
  /** Seeds shuffling and augmentation; the same seed and epoch give the same batches. */
  seed: z.number().int().default(0),
  /** Batches decoded in the background while the current one trains. */
  prefetch: z.number().int().min(0).max(16).default(2),
});
export type LoaderOptions = z.input<typeof loaderOptionsSchema>;

export interface ImagePairDataset {
  dir: string;
  manifest: Manifest;
  split: SplitName;
  /** Examples per epoch: the pairs, or for unaligned data the larger domain (as the reference). */
  size: number;
  batchesPerEpoch: number;
  /**
   * One epoch of batches: `a` and `b` NHWC float32 in [-1, 1], and `bEdgeSmoothed` (b's
   * edge-smoothed copies, same crops and flips) when an unaligned dataset has
   * `trainB_smooth/` (`testB_smooth/`) and the direction is AtoB. The caller owns each
   * batch's tensors and must dispose them (disposeBatch). The last batch may be smaller.
   */
  batches(epoch?: number): AsyncGenerator<Batch, void, undefined>;
}

/** One example to load: which files, and the seed of its crop, flip and jitter. */
interface ExampleRef {
  a: string;
  b: string;
  bSmoothed?: string | undefined;
  seed: number;
}

interface HostExample {
  a: RgbImage;
  b: RgbImage;
  bSmoothed?: RgbImage | undefined;
  jitterSeed: number;
}

interface HostBatch {
  a: Float32Array;
  b: Float32Array;
  bSmoothed?: Float32Array | undefined;
  shape: [number, number, number, number];
}

/**
 * Opens a dataset directory for training: checks it against its manifest (every file
 * listed, every checksum right), then serves shuffled, augmented batches, decoding the
 * next batches with sharp while the current one trains.
 */
export async function openDataset(dir: string, options: LoaderOptions = {}): Promise<ImagePairDataset> {
  const opts = loaderOptionsSchema.parse(options);
  const { manifest, layout } = await verifyDataset(dir);
  const files = layout.splits[opts.split];
  const counts = splitCounts(files);
  if (counts.a === 0 || counts.b === 0) {
    const where = layout.heldOut.kind === 'directory' ? path.join(dir, opts.split) : `${dir} (held-out fraction)`;
    throw new DatasetError('empty', where, `The ${opts.split} split of ${where} has no examples.`);
  }
  const size = Math.max(counts.a, counts.b);
  const batchesPerEpoch = Math.ceil(size / opts.batchSize);

  const loadExample = async (ref: ExampleRef): Promise<HostExample> => {
    const rng = new SeededRandom(ref.seed);
    let a: RgbImage;
    let b: RgbImage;
    let bSmoothed: RgbImage | undefined;
    if (files.kind === 'aligned') {
      const whole = await decodeRgbFile(path.join(dir, ref.a));
      const half = Math.floor(whole.width / 2);
      const plan = planTransform(half, whole.height, opts, rng);
      [a, b] = await Promise.all([
        applyTransform(whole, plan, { left: 0, top: 0, width: half, height: whole.height }),
        applyTransform(whole, plan, { left: half, top: 0, width: half, height: whole.height }),
      ]);
    } else {
      const smoothFile = ref.bSmoothed;
      const [imageA, imageB, imageSmoothed] = await Promise.all([
        decodeRgbFile(path.join(dir, ref.a)),
        decodeRgbFile(path.join(dir, ref.b)),
        smoothFile === undefined ? undefined : decodeRgbFile(path.join(dir, smoothFile)),
      ]);
      const planA = planTransform(imageA.width, imageA.height, opts, rng);
      // Paired images share one crop and flip; unaligned domains are augmented independently.
      const planB = files.kind === 'paired' ? planA : planTransform(imageB.width, imageB.height, opts, rng);
      if (imageSmoothed && (imageSmoothed.width !== imageB.width || imageSmoothed.height !== imageB.height)) {
        throw new DatasetError('mismatched', path.join(dir, smoothFile as string), `${path.join(dir, smoothFile as string)} is not the size of ${path.join(dir, ref.b)}; an edge-smoothed copy must be.`);
      }
      [a, b, bSmoothed] = await Promise.all([applyTransform(imageA, planA), applyTransform(imageB, planB), imageSmoothed && applyTransform(imageSmoothed, planB)]);
    }
    if (opts.direction === 'BtoA') return { a: b, b: a, jitterSeed: deriveSeed(ref.seed, 'jitter') };
    return { a, b, bSmoothed, jitterSeed: deriveSeed(ref.seed, 'jitter') };
  };

  const loadBatch = async (refs: readonly ExampleRef[]): Promise<HostBatch> => {
    const examples = await Promise.all(refs.map(loadExample));
    const first = examples[0] as HostExample;
    const { width, height } = first.a;
    const pixels = width * height * 3;
    const a = new Float32Array(examples.length * pixels);
    const b = new Float32Array(examples.length * pixels);
    const bSmoothed = first.bSmoothed ? new Float32Array(examples.length * pixels) : undefined;
    examples.forEach((example, i) => {
      const ref = refs[i] as ExampleRef;
      for (const side of [example.a, example.b]) {
        if (side.width !== width || side.height !== height) {
          throw new DatasetError(
            'mismatched',
            path.join(dir, ref.a),
            `${path.join(dir, ref.a)} gives a ${side.width}×${side.height} image in a batch of ${width}×${height}; with preprocess "${opts.preprocess}" use batch size 1 or a cropping mode.`,
          );
        }
      }
      const jitter = sampleJitter(opts.colorJitter, new SeededRandom(example.jitterSeed));
      writeSignedUnit(example.a, a, i * pixels, jitter ? (unit) => applyJitter(unit, jitter) : undefined);
      writeSignedUnit(example.b, b, i * pixels);
      if (bSmoothed && example.bSmoothed) writeSignedUnit(example.bSmoothed, bSmoothed, i * pixels);
    });
    return { a, b, bSmoothed, shape: [examples.length, height, width, 3] };
  };

  async function* batches(epoch = 0): AsyncGenerator<Batch, void, undefined> {
    const refs = epochExamples(files, opts, epoch);
    const chunks: ExampleRef[][] = [];
    for (let i = 0; i < refs.length; i += opts.batchSize) chunks.push(refs.slice(i, i + opts.batchSize));
    const pending: Promise<HostBatch>[] = [];
    let next = 0;
    const enqueue = (): void => {
      const promise = loadBatch(chunks[next++] as ExampleRef[]);
      promise.catch(() => undefined); // a consumer that stops early never awaits it
      pending.push(promise);
    };
    while (next < chunks.length || pending.length > 0) {
      if (pending.length === 0) enqueue();
      const host = await (pending.shift() as Promise<HostBatch>);
      while (pending.length < opts.prefetch && next < chunks.length) enqueue();
      // Tensors are made only when handed out, so an abandoned prefetch leaks nothing.
      yield {
        a: tf.tensor4d(host.a, host.shape, 'float32'),
        b: tf.tensor4d(host.b, host.shape, 'float32'),
        ...(host.bSmoothed ? { bEdgeSmoothed: tf.tensor4d(host.bSmoothed, host.shape, 'float32') } : {}),
      };
    }
  }

  return { dir, manifest, split: opts.split, size, batchesPerEpoch, batches };
}

/**
 * The examples of one epoch in order. As the reference: a shuffled order unless
 * `serialBatches`; for unaligned data index i takes A[i mod |A|] and a random B.
 */
function epochExamples(files: SplitFiles, opts: { serialBatches: boolean; seed: number; direction: 'AtoB' | 'BtoA' }, epoch: number): ExampleRef[] {
  const rng = new SeededRandom(deriveSeed(opts.seed, epoch, 'order'));
  const pairs: { a: string; b: string }[] =
    files.kind === 'aligned'
      ? files.files.map((f) => ({ a: f, b: f }))
      : files.kind === 'paired'
        ? files.pairs
        : Array.from({ length: Math.max(files.a.length, files.b.length) }, (_, i) => ({
            a: files.a[i % files.a.length] as string,
            b: files.b[i % files.b.length] as string,
          }));
  const order = opts.serialBatches ? pairs.map((_, i) => i) : rng.shuffled(pairs.map((_, i) => i));
  return order.map((index, position) => {
    const pair = pairs[index] as { a: string; b: string };
    const b = files.kind === 'unaligned' && !opts.serialBatches ? rng.pick(files.b) : pair.b;
    // The copies are of domain B; BtoA makes B the input, where they have no use.
    const bSmoothed = files.kind === 'unaligned' && opts.direction === 'AtoB' ? files.bSmoothed?.[b] : undefined;
    return { a: pair.a, b, bSmoothed, seed: deriveSeed(opts.seed, epoch, position) };
  });
}

/** 8-bit RGB → [-1, 1] floats at `offset` of `out`, optionally jittered in [0, 1] first. */
function writeSignedUnit(image: RgbImage, out: Float32Array, offset: number, jitter?: (unit: Float32Array) => void): void {
  const unit = new Float32Array(image.data.length);
  for (let i = 0; i < unit.length; i++) unit[i] = (image.data[i] as number) / 255;
  jitter?.(unit);
  for (let i = 0; i < unit.length; i++) out[offset + i] = (unit[i] as number) * 2 - 1;
}

/** Disposes every tensor of a batch the loader handed out. */
export function disposeBatch(batch: Batch): void {
  batch.a.dispose();
  batch.b.dispose();
  batch.bEdgeSmoothed?.dispose();
}
