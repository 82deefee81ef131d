import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import type { ModelMeta } from '../../shared/models/model-meta.js';

/**
 * A small seeded generator (3×3 convs, tanh) that changes colours and structure visibly, so
 * tests can tell its output from its input. Not a trained model. `inputSize` null builds it
 * for any height and width (it is fully convolutional). `hiddenFilters` are the hidden convs
 * (one of 8 filters by default).
 */
export function buildTinyGenerator(inputSize: number | null, seed: number, hiddenFilters: readonly number[] = [8]): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  let x: tf.SymbolicTensor = input;
  for (const [i, filters] of hiddenFilters.entries()) {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10 * i }) })
      .apply(x) as tf.SymbolicTensor;
  }
  const output = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * A deliberately slow model: one predict takes seconds on the cpu backend (128×128 input,
 * three 32-filter convs; about 2–3 s here), for tests of what must not wait for inference.
 */
export const slowModel = { inputSize: 128, hiddenFilters: [32, 32, 32] } as const;

/** A temp model store with the given styles, each with one promoted tiny generator. */
export async function tinyModelStore(styles: string[], inputSize = 64, hiddenFilters: readonly number[] = [8]): Promise<{ store: DirectoryModelStore; metas: ModelMeta[] }> {
  const store = new DirectoryModelStore(await mkdtemp(path.join(os.tmpdir(), 'animebot-models-')));
  const metas: ModelMeta[] = [];
  for (const [i, style] of styles.entries()) {
    const model = buildTinyGenerator(inputSize, 100 + i, hiddenFilters);
    const meta = await saveLayersModel(store, model, { style, architecture: 'test-tiny', inputSize, options: { seed: 100 + i } });
    model.dispose();
    await store.promote(style, meta.version);
    metas.push(meta);
  }
  return { store, metas };
}
