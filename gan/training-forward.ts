import type * as tf from '@tensorflow/tfjs';
import type { Networks } from './architecture.js';

/** Looks up one network of a built architecture; a missing one is a programming error. */
export function network(nets: Networks, kind: keyof Networks, name: string): tf.LayersModel {
  const model = nets[kind][name];
  if (!model) throw new Error(`missing ${kind.slice(0, -1)} ${name}; have ${Object.keys(nets[kind]).join(', ')}`);
  return model;
}

/**
 * Runs a network in training mode, as the reference trains: BatchNorm uses (and updates its
 * running statistics from) the batch, dropout is on. `model.predict` would do neither.
 */
export function trainingForward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor4D {
  return model.apply(x, { training: true }) as tf.Tensor4D;
}
