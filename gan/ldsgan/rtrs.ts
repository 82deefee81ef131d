import * as tf from '@tensorflow/tfjs';
import { BilinearDownsample } from '../../shared/layers/bilinear-downsample.js';
import { kaimingNormal } from '../../shared/layers/kaiming-normal.js';
import { lrelu } from './conv.js';
import { patchEncoder } from './patch-encoder.js';

export interface RtrsArgs {
  /** PatchGAN encoder width (ndf). */
  ndf: number;
  /** PatchGAN encoder stride-2 convs. */
  layers: number;
  /** Length of each route code (the paper: 512). */
  codeSize: number;
  /** How many route codes the last Scale Block layer emits (1, or N for "one RTRS"). */
  heads: number;
  name: string;
}

/**
 * Real-Time Route Search (LDSGAN §3.3, Figure 3). The rich maps are resized bilinearly to
 * the size of the current RGB image and concatenated with it; a PatchGAN encoder (one
 * output channel, as the paper states) keeps the spatial colour layout; its flattened map
 * goes through the Scale Block, three fully connected layers, to the route code.
 *
 * The Scale Block's activations are not given; each FC is followed by LeakyReLU 0.2, as in
 * StyleGAN2's mapping network, whose role (code → styles of modulated convs) it takes.
 * With `heads` > 1 the third FC has `heads` independent outputs, which is one FC of width
 * heads·codeSize split into codes.
 */
export function rtrs(richMaps: tf.SymbolicTensor, rgb: tf.SymbolicTensor, args: RtrsArgs): tf.SymbolicTensor[] {
  const richSize = richMaps.shape[1];
  const rgbSize = rgb.shape[1];
  if (typeof richSize !== 'number' || typeof rgbSize !== 'number') throw new Error('rtrs needs known spatial sizes');
  const resized = new BilinearDownsample({ factor: richSize / rgbSize, name: `${args.name}_rich_resize` }).apply(richMaps) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate({ name: `${args.name}_concat` }).apply([resized, rgb]) as tf.SymbolicTensor;
  const patches = patchEncoder(joined, { ndf: args.ndf, layers: args.layers, name: `${args.name}_encoder` });
  const flat = tf.layers.flatten({ name: `${args.name}_flatten` }).apply(patches) as tf.SymbolicTensor;
  const fc = (x: tf.SymbolicTensor, name: string) => {
    const dense = tf.layers.dense({ units: args.codeSize, kernelInitializer: kaimingNormal(x.shape[1] as number), name });
    return lrelu(dense.apply(x) as tf.SymbolicTensor, `${name}_lrelu`);
  };
  const hidden = fc(fc(flat, `${args.name}_fc1`), `${args.name}_fc2`);
  if (args.heads === 1) return [fc(hidden, `${args.name}_fc3`)];
  return Array.from({ length: args.heads }, (_, i) => fc(hidden, `${args.name}_fc3_${i}`));
}
