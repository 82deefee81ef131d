import { stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { loadFeatureNetwork, randomFeatureNetwork, useFeatureNetwork, type FeatureNetwork, type RandomFeatureNetworkOptions } from '../gan/losses/feature-network.js';
import { ConfigError, type Config } from '../shared/config.js';
import { readModelDirectory } from '../shared/models/read-model-directory.js';

/*
 * The networks a training job measures with: the image embedding of FID and KID
 * (InceptionV3's pool3, or the seeded random stand-in), and the perceptual/LPIPS losses'
 * network (gan/losses/feature-network.ts) loaded from FEATURE_WEIGHTS_DIR, both from the
 * settings.
 */

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

/**
 * The global average of every tapped layer of a feature network, concatenated: a
 * multi-scale summary of its activations (the same pooling that gives Inception's pool3).
 */
export function globalPoolFeatureExtractor(net: FeatureNetwork): ImageFeatureExtractor {
  const pooled = (batch: tf.Tensor4D) =>
    tf.tidy(
      () =>
        tf.concat(
          net.extract(batch).map((layer) => tf.mean(layer, [1, 2])),
          1,
        ) as tf.Tensor2D,
    );
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

export const inceptionOptionsSchema = z.object({
  /** Side the images are resized to (bilinear, as pytorch-fid): InceptionV3's 299. */
  inputSize: z.number().int().positive().default(299),
  /** Width of the pool3 features: 2048 for InceptionV3. */
  dims: z.number().int().positive().default(2048),
  /** Name recorded with every score; defaults to `inception-v3-pool3(<dir basename>)`. */
  name: z.string().min(1).optional(),
});
export type InceptionOptions = z.input<typeof inceptionOptionsSchema>;

/**
 * InceptionV3's pool3 features (the 2048-d global average pool before the classifier, the
 * FID/KID embedding) from converted tfjs weights in `dir`: either a layers model, e.g.
 * `tf.keras.applications.InceptionV3(include_top=False, pooling='avg')` through
 * `tensorflowjs_converter --input_format=keras`, or a graph model (a TF SavedModel / TF-Hub
 * module through `--input_format=tf_saved_model`). A model that ends before the pooling
 * ([N, 8, 8, 2048]) is pooled here.
 *
 * Input: our [-1, 1] images resized to 299×299, which is what Keras' `inception_v3.
 * preprocess_input` and pytorch-fid's FID Inception expect. Only the TF-FID weights
 * (pt_inception-2015-12-05, as pytorch-fid ships) give numbers comparable to published FIDs;
 * Keras' ImageNet InceptionV3 gives similar but not identical scores — name it accordingly.
 */
export async function loadInceptionFeatureExtractor(dir: string, options: InceptionOptions = {}): Promise<ImageFeatureExtractor & { dispose(): void }> {
  const { inputSize, dims, name } = inceptionOptionsSchema.parse(options);
  const { format, artifacts } = await readModelDirectory(dir);
  const model = format === 'graph-model' ? await tf.loadGraphModel(tf.io.fromMemory(artifacts)) : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return {
    name: name ?? `inception-v3-pool3(${path.basename(path.resolve(dir))})`,
    dims,
    features: (batch) =>
      tf.tidy(() => {
        const resized = tf.image.resizeBilinear(batch, [inputSize, inputSize]);
        const output = model.predict(resized);
        if (!(output instanceof tf.Tensor)) throw new Error(`inception model in ${dir} has several outputs; expected one (pool3)`);
        const pooled = output.rank === 4 ? tf.mean(output, [1, 2]) : output.reshape([batch.shape[0], -1]);
        if (pooled.shape[1] !== dims) throw new Error(`inception model in ${dir} gives ${pooled.shape[1]} features, expected ${dims}`);
        return pooled as tf.Tensor2D;
      }),
    dispose: () => model.dispose(),
  };
}

type WeightsSetting = 'FEATURE_WEIGHTS_DIR' | 'INCEPTION_WEIGHTS_DIR';
export type FeatureWeightsSettings = Partial<Pick<Config, WeightsSetting>>;

/** A weights setting that names no usable converted model; the message names setting and path. */
export class FeatureWeightsError extends ConfigError {
  constructor(
    readonly setting: WeightsSetting,
    readonly dir: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}=${dir}: ${problem}`, options);
  }
}

/** Throws FeatureWeightsError unless every set directory exists and holds a model.json. */
export async function checkFeatureWeights(settings: FeatureWeightsSettings): Promise<void> {
  for (const setting of ['FEATURE_WEIGHTS_DIR', 'INCEPTION_WEIGHTS_DIR'] as const) {
    const dir = settings[setting];
    if (dir !== undefined) await checkModelDirectory(setting, dir);
  }
}

export interface TrainerFeatureNetworks {
  /** The FID/KID embedding; its `name` goes into every report. */
  extractor: ImageFeatureExtractor;
  /** Frees what was loaded and gives the perceptual losses back their previous network. */
  dispose(): void;
}

/**
 * The networks a training job measures with: the converted InceptionV3 in
 * INCEPTION_WEIGHTS_DIR for FID/KID, and the converted VGG in FEATURE_WEIGHTS_DIR as the
 * perceptual/LPIPS losses' network (made active until `dispose`). Each falls back to the
 * seeded random conv network when its setting is unset.
 */
export async function loadFeatureNetworks(settings: FeatureWeightsSettings): Promise<TrainerFeatureNetworks> {
  await checkFeatureWeights(settings);
  const perceptualDir = settings.FEATURE_WEIGHTS_DIR;
  const inceptionDir = settings.INCEPTION_WEIGHTS_DIR;
  const perceptual = perceptualDir ? await loadFrom('FEATURE_WEIGHTS_DIR', perceptualDir, loadFeatureNetwork) : undefined;
  let extractor: ImageFeatureExtractor & { dispose(): void };
  try {
    extractor = inceptionDir ? await loadFrom('INCEPTION_WEIGHTS_DIR', inceptionDir, loadInceptionFeatureExtractor) : randomFeatureExtractor();
  } catch (err) {
    perceptual?.dispose();
    throw err;
  }
  const previous = perceptual ? useFeatureNetwork(perceptual) : undefined;
  return {
    extractor,
    dispose() {
      extractor.dispose();
      if (perceptual) {
        useFeatureNetwork(previous);
        perceptual.dispose();
      }
    },
  };
}

async function checkModelDirectory(setting: WeightsSetting, dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new FeatureWeightsError(setting, dir, 'no such directory');
  const modelJson = await stat(path.join(dir, 'model.json')).catch(() => undefined);
  if (!modelJson?.isFile()) throw new FeatureWeightsError(setting, dir, 'no model.json in it (expected tensorflowjs_converter output: model.json and its weight shards)');
}

/** Runs a loader, reporting any failure (bad model.json, missing shard or layer) as the setting's. */
async function loadFrom<T>(setting: WeightsSetting, dir: string, load: (dir: string) => Promise<T>): Promise<T> {
  try {
    return await load(dir);
  } catch (err) {
    throw new FeatureWeightsError(setting, dir, err instanceof Error ? err.message : String(err), { cause: err });
  }
}
