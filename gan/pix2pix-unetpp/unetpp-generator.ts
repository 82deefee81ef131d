import * as tf from '@tensorflow/tfjs';
import { upsampleConv, type UpsampleKind } from '../blocks/upsample-conv.js';
import { convBiasBeforeNorm, normLayer, type NormKind } from '../blocks/norm-layer.js';
import { convKernelInit } from '../blocks/weight-init.js';

export interface UnetPlusPlusOptions {
  name: string;
  imageSize: number;
  /** Down-sampling levels L, the paper's U-Net++ "depth" (§4.3.1). */
  depth: number;
  /** Channels of the top level; level i has ngf·min(2^i, 8) (pix2pix's U-Net widths). */
  ngf: number;
  norm: NormKind;
  /** Dropout rate of the nested (up-sampling) nodes; only active in training. */
  dropout: number;
  /** The up blocks' ×2 upsampling: the paper's transposed conv, or resize + 3×3 conv. */
  upsample: UpsampleKind;
}

/**
 * The paper's U-Net++ generator (Zhao, Yu & Bian, §3.1): the nested, densely skip-connected
 * decoder of U-Net++ (Zhou et al.) with U-Net++'s VGG block replaced by the paper's block,
 * "a strided convolution, a channel normalization and a Dropout layer" — the blocks of the
 * pix2pix U-Net it replaces: down LeakyReLU(0.2) → conv 4×4 stride 2 → norm, up ReLU →
 * transposed conv 4×4 stride 2 → norm → dropout.
 *
 * With X^{i,0} (i = 0…L−1) the encoder output at 1/2^(i+1) of the image, every nested node
 * X^{i,j} (j ≥ 1, i + j ≤ L−1) is one up block fed the concatenation of all nodes of the
 * level below it so far, X^{i+1,0}, …, X^{i+1,j−1}; the output is a transposed conv to RGB
 * with tanh fed all nodes of the top level X^{0,0}, …, X^{0,L−1}. Because the paper's block
 * up-samples by itself, U-Net++'s node H(concat[X^{i,0..j−1}, Up(X^{i+1,j−1})]) becomes an
 * up block over a level's concatenated nodes: each level's dense skips meet at the input of
 * the next up block, where pix2pix puts its skip concatenation. Keeping only the nodes
 * X^{i,L−1−i} gives pix2pix's U-Net.
 *
 * Choices where the paper is silent: as in pix2pix, the first and innermost encoder blocks
 * have no norm and dropout is in up blocks only (here every nested node, per the paper's
 * block); without deep supervision, which the paper does not use. With `upsample: 'resize'`
 * every transposed conv is bilinear ×2 + 3×3 conv instead (../blocks/upsample-conv.ts).
 */
export function buildUnetPlusPlusGenerator(o: UnetPlusPlusOptions): tf.LayersModel {
  const bias = convBiasBeforeNorm(o.norm);
  const width = (level: number) => o.ngf * Math.min(2 ** level, 8);
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const concatenated = (xs: tf.SymbolicTensor[], name: string) => (xs.length === 1 ? xs[0]! : apply(tf.layers.concatenate({ name }), xs));
  const input = tf.input({ shape: [o.imageSize, o.imageSize, 3], name: `${o.name}_input` });

  // nodes[i][j] is X^{i,j}; column 0 is the encoder.
  const nodes: tf.SymbolicTensor[][] = [];
  let x = input;
  for (let i = 0; i < o.depth; i++) {
    const prefix = `${o.name}_x${i}_0`;
    if (i > 0) x = apply(tf.layers.leakyReLU({ alpha: 0.2, name: `${prefix}_lrelu` }), x);
    x = apply(tf.layers.conv2d({ filters: width(i), kernelSize: 4, strides: 2, padding: 'same', useBias: bias, kernelInitializer: convKernelInit(), name: `${prefix}_conv` }), x);
    if (i > 0 && i < o.depth - 1) x = apply(normLayer(o.norm, `${prefix}_norm`), x);
    nodes.push([x]);
  }
  const upBlock = (inputs: tf.SymbolicTensor[], filters: number, useBias: boolean, prefix: string) => {
    const y = apply(tf.layers.reLU({ name: `${prefix}_relu` }), concatenated(inputs, `${prefix}_concat`));
    return upsampleConv(o.upsample, y, { filters, useBias, name: prefix });
  };
  for (let j = 1; j < o.depth; j++) {
    for (let i = 0; i + j < o.depth; i++) {
      const prefix = `${o.name}_x${i}_${j}`;
      let y = upBlock(nodes[i + 1]!.slice(0, j), width(i), bias, prefix);
      y = apply(normLayer(o.norm, `${prefix}_norm`), y);
      if (o.dropout > 0) y = apply(tf.layers.dropout({ rate: o.dropout, name: `${prefix}_dropout` }), y);
      nodes[i]!.push(y);
    }
  }
  const rgb = upBlock(nodes[0]!, 3, true, `${o.name}_output`);
  const output = apply(tf.layers.activation({ activation: 'tanh', name: `${o.name}_tanh` }), rgb);
  return tf.model({ inputs: input, outputs: output, name: o.name });
}
