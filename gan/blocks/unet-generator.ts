import * as tf from '@tensorflow/tfjs';
import { convBiasBeforeNorm, normLayer, type NormKind } from './norm-layer.js';
import { upsampleConv, type UpsampleKind } from './upsample-conv.js';
import { convKernelInit } from './weight-init.js';

/*
 * The reference toolkit's U-Net generator (junyanz/pytorch-CycleGAN-and-pix2pix,
 * models/networks.py); the tfjs-versus-PyTorch notes are in ../pix2pix/pix2pix.ts.
 */

export interface UnetOptions {
  name: string;
  imageSize: number;
  inputChannels: number;
  outputChannels: number;
  /** Number of stride-2 downsamplings; the innermost feature map is imageSize / 2^downs. */
  downs: number;
  ngf: number;
  norm: NormKind;
  dropout: boolean;
  upsample: UpsampleKind;
}

/**
 * `UnetGenerator`: nested `UnetSkipConnectionBlock`s, level i (0 = outermost) downsampling
 * to ngf·min(2^i, 8) channels. Down path LeakyReLU(0.2) → conv → norm (no activation before
 * the first conv, no norm after the first or the innermost); up path ReLU → transposed conv
 * → norm, and concat(activated block input, block output) as the skip; the outermost ends in a
 * biased transposed conv and tanh. Dropout(0.5) follows the up norm of the blocks between
 * the innermost and the ngf·8 ← ngf·4 one (the reference's `num_downs - 5` loop blocks).
 * `upsample: 'resize'` replaces each transposed conv by bilinear ×2 + 3×3 conv.
 */
export function buildUnetGenerator(o: UnetOptions): tf.LayersModel {
  const bias = convBiasBeforeNorm(o.norm);
  const width = (level: number) => o.ngf * Math.min(2 ** level, 8);
  const input = tf.input({ shape: [o.imageSize, o.imageSize, o.inputChannels], name: `${o.name}_input` });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (filters: number, useBias: boolean, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: 4, strides: 2, padding: 'same', useBias, kernelInitializer: convKernelInit(), name });

  const blockInputs: tf.SymbolicTensor[] = [];
  let x = input;
  for (let level = 0; level < o.downs; level++) {
    const innermost = level === o.downs - 1;
    const prefix = `${o.name}_down${level}`;
    if (level > 0) x = apply(tf.layers.leakyReLU({ alpha: 0.2, name: `${prefix}_lrelu` }), x);
    // The reference's LeakyReLU is in place (`nn.LeakyReLU(0.2, True)`), so it also rewrites
    // the block input that `torch.cat([x, self.model(x)], 1)` then reads: the skip carries
    // LeakyReLU(x), as a trace of the reference shows (lanpa/tensorboardX#215).
    blockInputs.push(x);
    x = apply(conv(width(level), bias, `${prefix}_conv`), x);
    if (level > 0 && !innermost) x = apply(normLayer(o.norm, `${prefix}_norm`), x);
  }
  for (let level = o.downs - 1; level > 0; level--) {
    const prefix = `${o.name}_up${level}`;
    x = apply(tf.layers.reLU({ name: `${prefix}_relu` }), x);
    x = upsampleConv(o.upsample, x, { filters: width(level - 1), useBias: bias, name: prefix });
    x = apply(normLayer(o.norm, `${prefix}_norm`), x);
    if (o.dropout && level >= 4 && level < o.downs - 1) x = apply(tf.layers.dropout({ rate: 0.5, name: `${prefix}_dropout` }), x);
    x = apply(tf.layers.concatenate({ axis: -1, name: `${prefix}_skip` }), [blockInputs[level]!, x]);
  }
  x = apply(tf.layers.reLU({ name: `${o.name}_up0_relu` }), x);
  x = upsampleConv(o.upsample, x, { filters: o.outputChannels, useBias: true, name: `${o.name}_up0` });
  const output = apply(tf.layers.activation({ activation: 'tanh', name: `${o.name}_tanh` }), x);
  return tf.model({ inputs: input, outputs: output, name: o.name });
}
