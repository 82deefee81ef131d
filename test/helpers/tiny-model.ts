import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import type { ModelMeta } from '../../shared/models/model-meta.js';

/**
 * A small seeded generator (two 3×3 convs, tanh) that changes colours and structure
 * visibly, so tests can tell its output from its input. Not a trained model. `inputSize`
 * null builds it for any height and width (it is fully convolutional).
 */
export function buildTinyGenerator(inputSize: number | null, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3] });
  const hidden = tf.layers
    .conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(input) as tf.SymbolicTensor;
  const output = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/** A temp model store with the given styles, each with one promoted tiny generator. */
export async function tinyModelStore(styles: string[], inputSize = 64): Promise<{ store: DirectoryModelStore; metas: ModelMeta[] }> {
  const store = new DirectoryModelStore(await mkdtemp(path.join(os.tmpdir(), 'animebot-models-')));
  const metas: ModelMeta[] = [];
  for (const [i, style] of styles.entries()) {
    const model = buildTinyGenerator(inputSize, 100 + i);
    const meta = await saveLayersModel(store, model, { style, architecture: 'test-tiny', inputSize, options: { seed: 100 + i } });
    model.dispose();
    await store.promote(style, meta.version);
    metas.push(meta);
  }
  return { store, metas };
}
