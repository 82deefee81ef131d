import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ModelMeta } from './model-meta.js';
import type { ModelStore } from './model-store.js';
import { exportLayersModelToOnnx, UnsupportedLayerError } from './onnx-export/export-layers-model.js';

/**
 * Saves a tfjs LayersModel into a store as a new (candidate) version, with its ONNX export
 * (`model.onnx`, which the worker serves with ONNX Runtime) in the same atomic write; a model
 * with a layer the exporter cannot translate is saved without one and served by tfjs.
 * `inputMultiple` absent is recorded as null (served letterboxed); a generator of the model
 * zoo is saved through `saveGenerator` (gan/save-generator.ts), which sets it from its
 * architecture.
 */
export async function saveLayersModel(
  store: ModelStore,
  model: tf.LayersModel,
  meta: Parameters<ModelStore['save']>[1],
): Promise<ModelMeta> {
  const inputMultiple = meta.inputMultiple ?? null;
  const onnx = exportableOnnx(model, meta);
  let saved: ModelMeta | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = await store.save(artifacts, { ...meta, inputMultiple }, onnx);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model was not saved');
  return saved;
}

function exportableOnnx(model: tf.LayersModel, meta: Parameters<ModelStore['save']>[1]): Uint8Array | undefined {
  try {
    return exportLayersModelToOnnx(model, { style: meta.style, architecture: meta.architecture }).bytes;
  } catch (err) {
    if (err instanceof UnsupportedLayerError) return undefined;
    throw err;
  }
}

/**
 * A stored version's `inputMultiple`; undefined (null, or a version saved before the field):
 * the generator only runs at `inputSize`. The worker decides from the meta alone, so that it
 * needs no model zoo.
 */
export function resolveInputMultiple(meta: ModelMeta): number | undefined {
  return meta.inputMultiple ?? undefined;
}

export interface LoadedLayersModel {
  model: tf.LayersModel;
  meta: ModelMeta;
  /** Set when `model` takes any H×W that are multiples of it (see `resolveInputMultiple`); otherwise only inputSize². */
  inputMultiple: number | undefined;
}

/**
 * Loads a stored version as a LayersModel; custom layers are registered by the import above.
 * A fully convolutional generator is loaded with free height and width: tfjs checks inputs
 * against the saved `batch_input_shape` (fixed at the training size), so the topology's input
 * layers get [null, null, null, channels] in memory; the files are not changed.
 */
export async function loadLayersModel(store: ModelStore, style: string, version: string): Promise<LoadedLayersModel> {
  const { meta, artifacts } = await store.load(style, version);
  const inputMultiple = resolveInputMultiple(meta);
  const loadable = inputMultiple === undefined ? artifacts : { ...artifacts, modelTopology: withFreeSpatialInput(artifacts.modelTopology) };
  const model = await tf.loadLayersModel(tf.io.fromMemory(loadable));
  return { model, meta, inputMultiple };
}

const inputShapeSchema = z.tuple([z.number().nullable(), z.number().nullable(), z.number().nullable(), z.number().nullable()]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of a Keras JSON topology (`model_config`-wrapped or not) whose NHWC input layers have free H and W. */
function withFreeSpatialInput(topology: tf.io.ModelArtifacts['modelTopology']): tf.io.ModelArtifacts['modelTopology'] {
  if (!isRecord(topology)) throw new Error('expected a JSON model topology');
  const copy = structuredClone(topology);
  const model = copy.model_config ?? copy;
  const layers = isRecord(model) && isRecord(model.config) ? model.config.layers : undefined;
  if (!Array.isArray(layers)) throw new Error('the model topology has no layer list');
  for (const layer of layers) {
    if (!isRecord(layer) || layer.class_name !== 'InputLayer' || !isRecord(layer.config)) continue;
    const [batch, , , channels] = inputShapeSchema.parse(layer.config.batch_input_shape);
    layer.config.batch_input_shape = [batch, null, null, channels];
  }
  return copy;
}
