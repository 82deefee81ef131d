import * as tf from '@tensorflow/tfjs';
import { randomFeatureNetwork, type FeatureNetwork, type RandomFeatureNetworkOptions } from '../../gan/losses/feature-network.js';

/**
 * An image embedding for distribution metrics (FID, KID). `features` takes NHWC images in
 * [-1, 1] of any size (it resizes or pools as it needs) and returns one `dims`-vector per
 * image; the caller owns the result. `name` says which network it is and travels with every
 * score, so that a report never calls a score "FID (Inception)" when it was not.
 */
export interface ImageFeatureExtractor {
  name: string;
  dims: number;
  features(batch: tf.Tensor4D): tf.Tensor2D;
}

/** The features of a set of images: `count` rows of `dims` values, row-major, float64. */
export interface FeatureSet {
  extractor: string;
  dims: number;
  count: number;
  values: Float64Array;
}

/** Runs `extractor` over image batches (owned by the caller) and gathers the features. */
export async function extractFeatures(
  extractor: ImageFeatureExtractor,
  batches: Iterable<tf.Tensor4D> | AsyncIterable<tf.Tensor4D>,
): Promise<FeatureSet> {
  const rows: Float32Array[] = [];
  for await (const batch of batches) {
    const features = tf.tidy(() => extractor.features(batch));
    if (features.shape[1] !== extractor.dims) {
      features.dispose();
      throw new Error(`feature extractor ${extractor.name} returned ${features.shape[1]} dims, declared ${extractor.dims}`);
    }
    rows.push((await features.data()) as Float32Array);
    features.dispose();
  }
  const values = new Float64Array(rows.reduce((n, r) => n + r.length, 0));
  let offset = 0;
  for (const r of rows) {
    values.set(r, offset);
    offset += r.length;
  }
  return { extractor: extractor.name, dims: extractor.dims, count: values.length / extractor.dims, values };
}

/** The rows of several sets of one extractor, in order (features gathered image by image). */
export function concatFeatureSets(sets: FeatureSet[]): FeatureSet {
  const [first] = sets;
  if (!first) throw new Error('concatFeatureSets: no sets');
  for (const set of sets) checkComparable('concatFeatureSets', first, set, 0);
  const values = new Float64Array(sets.reduce((n, s) => n + s.values.length, 0));
  let offset = 0;
  for (const s of sets) {
    values.set(s.values, offset);
    offset += s.values.length;
  }
  return { extractor: first.extractor, dims: first.dims, count: values.length / first.dims, values };
}

/** Throws unless both sets come from the same extractor, so no score mixes embeddings. */
export function checkComparable(metric: string, a: FeatureSet, b: FeatureSet, minCount: number): void {
  if (a.extractor !== b.extractor || a.dims !== b.dims) {
    throw new Error(`${metric}: feature sets come from different extractors (${a.extractor}, ${a.dims} dims vs ${b.extractor}, ${b.dims} dims)`);
  }
  if (a.count < minCount || b.count < minCount) throw new Error(`${metric}: needs at least ${minCount} images per set, got ${a.count} and ${b.count}`);
}

/**
 * The global average of every tapped layer of a feature network, concatenated: a
 * multi-scale summary of its activations (the same pooling that gives Inception's pool3).
 */
export function globalPoolFeatureExtractor(net: FeatureNetwork): ImageFeatureExtractor {
  const pooled = (batch: tf.Tensor4D) =>
    tf.tidy(() => tf.concat(net.extract(batch).map((layer) => tf.mean(layer, [1, 2])), 1) as tf.Tensor2D);
  const probe = tf.tidy(() => pooled(tf.zeros([1, 32, 32, 3])));
  const dims = probe.shape[1];
  probe.dispose();
  return { name: `global-avg-pool(${net.name})`, dims, features: pooled };
}

/**
 * The documented stand-in when no converted InceptionV3 is provided: the global-pooled
 * stages of the seeded random conv pyramid the perceptual losses also fall back to
 * (gan/losses/feature-network.ts; 32+64+128+128 = 352 dims by default). Same seed,
 * same network on every machine, so its scores compare across runs of this project — but
 * not with published FID/KID numbers, which are Inception's; its name says so in reports.
 */
export function randomFeatureExtractor(options: RandomFeatureNetworkOptions = {}): ImageFeatureExtractor & { dispose(): void } {
  const net = randomFeatureNetwork(options);
  return { ...globalPoolFeatureExtractor(net), dispose: () => net.dispose() };
}
