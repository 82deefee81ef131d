import type * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../shared/models/layers-model-io.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { servedSizeMultiple } from './index.js';

/**
 * Saves a network of a zoo architecture as a new model version (`saveLayersModel`), with the
 * `inputMultiple` its architecture and options imply (null when it is not fully convolutional),
 * so that the worker can tell from the meta alone whether it serves the version at the
 * photo's own resolution.
 */
export function saveGenerator(
  store: ModelStore,
  model: tf.LayersModel,
  meta: Omit<Parameters<ModelStore['save']>[1], 'inputMultiple'>,
): Promise<ModelMeta> {
  return saveLayersModel(store, model, { ...meta, inputMultiple: servedSizeMultiple(meta.architecture, meta.options ?? {}) ?? null });
}
