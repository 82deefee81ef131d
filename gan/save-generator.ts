import type * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../shared/models/layers-model-io.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { servedSizeMultiple } from './index.js';

/*
 * The zoo's side of storing served networks. The worker decides how to serve a version from
 * its meta alone (it has no zoo): `inputMultiple` says whether the generator runs at the
 * photo's own resolution, and it is the architecture that knows.
 */

/**
 * Saves a network of a zoo architecture as a new model version (`saveLayersModel`), with the
 * `inputMultiple` its architecture and options imply (null when it is not fully convolutional).
 */
export function saveGenerator(store: ModelStore, model: tf.LayersModel, meta: Omit<Parameters<ModelStore['save']>[1], 'inputMultiple'>): Promise<ModelMeta> {
  return saveLayersModel(store, model, { ...meta, inputMultiple: servedSizeMultiple(meta.architecture, meta.options ?? {}) ?? null });
}

/**
 * Gives every stored version saved before `inputMultiple` existed the one its architecture
 * implies, so that the worker keeps serving fully convolutional ones at the photo's size
 * (the trainer does this when it starts). Versions of an architecture the zoo does not know,
 * or not fully convolutional, are left without one (served letterboxed, as with null).
 * Returns the versions updated, as "style/version".
 */
export async function recordInputMultiples(store: ModelStore): Promise<string[]> {
  const updated: string[] = [];
  for (const style of await store.styles()) {
    for (const { meta } of await store.versions(style)) {
      if (meta.inputMultiple !== undefined) continue;
      const multiple = servedSizeMultiple(meta.architecture, meta.options);
      if (multiple === undefined) continue;
      await store.setInputMultiple(style, meta.version, multiple);
      updated.push(`${style}/${meta.version}`);
    }
  }
  return updated;
}
