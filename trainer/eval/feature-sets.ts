import * as tf from '@tensorflow/tfjs';
import type { ImageFeatureExtractor } from '../feature-networks.js';

/** The features of a set of images: `count` rows of `dims` values, row-major, float64. */
export interface FeatureSet {
  extractor: string;
  dims: number;
  count: number;
  values: Float64Array;
}

/** Runs `extractor` over image batches (owned by the caller) and gathers the features. */
export async function extractFeatures(extractor: ImageFeatureExtractor, batches: Iterable<tf.Tensor4D> | AsyncIterable<tf.Tensor4D>): Promise<FeatureSet> {
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
