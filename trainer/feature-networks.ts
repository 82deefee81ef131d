import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from '../shared/config.js';
import { loadFeatureNetwork, useFeatureNetwork } from '../shared/nets/losses/feature-network.js';
import { randomFeatureExtractor, type ImageFeatureExtractor } from './eval/feature-extractor.js';
import { loadInceptionFeatureExtractor } from './eval/inception-feature-extractor.js';

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
