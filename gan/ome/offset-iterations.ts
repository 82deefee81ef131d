import * as tf from '@tensorflow/tfjs';
import type { Networks } from '../architecture.js';
import { network } from '../training-forward.js';
import { averageCodeLayer, OME_NETWORKS } from './networks.js';
import type { OmeOptions } from './options.js';
import { stopGradient } from './stop-gradient.js';

/** The synthesised image ŷ_t of every step t = 1…N. */
export type StepImages = tf.Tensor4D[];

/**
 * Runs OME's iterations (Algorithm 1) eagerly for training, with the losses of every step
 * in view: "loss objectives are back-propagated according to each forward propagation"
 * (§3.5). As ReStyle does, each step's inputs ŷ_t and z_t are detached, so step t's loss
 * trains the encoder through step t's pass only; summing the step losses and taking one
 * optimizer step equals ReStyle's per-step backward passes with one update. Computes the
 * same images as the served model (which unrolls the same layers), with batch norm in
 * training mode when `training`.
 */
export function offsetIterations(nets: Networks, condition: tf.Tensor4D, options: OmeOptions, training: boolean): StepImages {
  const encoder = network(nets, 'generators', OME_NETWORKS.encoder);
  const synthesis = network(nets, 'generators', OME_NETWORKS.synthesis);
  const encode = (input: tf.Tensor4D) => encoder.apply(input, { training }) as tf.Tensor3D;
  const synthesize = (codes: tf.Tensor3D) => synthesis.apply(codes, { training }) as tf.Tensor4D;
  if (!options.offsets) return [synthesize(encode(condition))];
  const average = averageCodeLayer(nets);
  if (!average) throw new Error('OME with offsets has no average code layer');
  let codes = average.apply(condition) as tf.Tensor3D;
  let image = synthesize(codes);
  const images: StepImages = [];
  for (let step = 0; step < options.steps; step++) {
    const offsets = encode(tf.concat([condition, stopGradient(image)], 3));
    codes = stopGradient(codes).add(offsets);
    image = synthesize(codes);
    images.push(image);
  }
  return images;
}
