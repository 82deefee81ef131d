import * as tf from '@tensorflow/tfjs';
import '../nets/register-layers.js';
import type { ModelMeta } from './model-meta.js';
import type { ModelStore } from './model-store.js';

/** Saves a tfjs LayersModel into a store as a new (candidate) version. */
export async function saveLayersModel(
  store: ModelStore,
  model: tf.LayersModel,
  meta: Parameters<ModelStore['save']>[1],
): Promise<ModelMeta> {
  let saved: ModelMeta | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = await store.save(artifacts, meta);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model was not saved');
  return saved;
}

/** Loads a stored version as a LayersModel; custom layers are registered by the import above. */
export async function loadLayersModel(store: ModelStore, style: string, version: string): Promise<{ model: tf.LayersModel; meta: ModelMeta }> {
  const { meta, artifacts } = await store.load(style, version);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, meta };
}
