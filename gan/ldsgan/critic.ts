import * as tf from '@tensorflow/tfjs';
import { patchEncoder } from './patch-encoder.js';

export interface LdsganCriticArgs {
  imageSize: number;
  ndf: number;
  layers: number;
}

/**
 * LDSGAN's WGAN-GP critic. The paper does not describe its discriminator; it credits the
 * PatchGAN discriminator's effectiveness for the RTRS encoder (§3.3), so the critic is that
 * same no-normalisation PatchGAN (WGAN-GP forbids batch norm in the critic anyway), one
 * unbounded score per patch, averaged by the WGAN loss.
 */
export function buildLdsganCritic(args: LdsganCriticArgs): tf.LayersModel {
  const image = tf.input({ shape: [args.imageSize, args.imageSize, 3], name: 'D_input' });
  const scores = patchEncoder(image, { ndf: args.ndf, layers: args.layers, name: 'D' });
  return tf.model({ inputs: image, outputs: scores, name: 'D' });
}
