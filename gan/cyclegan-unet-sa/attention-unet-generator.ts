import * as tf from '@tensorflow/tfjs';
import { SelfAttention } from '../../shared/layers/self-attention.js';
import { normLayer } from '../blocks/norm-layer.js';
import { convKernelInit } from '../blocks/weight-init.js';

/** Where the generator has self-attention layers (the paper's four U-Net variants, Table 3). */
export type AttentionPlacement = 'none' | 'down' | 'up' | 'both';

export interface AttentionUnetOptions {
  name: string;
  imageSize: number;
  /** Down-sampling blocks, and as many up-sampling blocks (the paper: 8 and 8, §3.5.1). */
  blocks: number;
  /** Channels of the first block; block i has ngf·min(2^i, 8) (pix2pix's U-Net widths). */
  ngf: number;
  attention: AttentionPlacement;
  /** Side of the feature map the self-attention layers sit at, in both paths. */
  attentionSize: number;
}

/**
 * The paper's U-Net generator (Sharma & Das, §3.5.1): `blocks` encoding blocks of
 * conv(4×4, stride 2) → instance norm → LeakyReLU(0.2), then as many decoding blocks of
 * transposed conv(4×4, stride 2) → instance norm → LeakyReLU(0.2) ("this configuration is
 * consistently replicated across the Up-Sampling/Decoding layers"), each after the first
 * fed the previous decoder output concatenated with the encoder output of the same size
 * (the long skip connections); the last decoding block is a transposed conv to RGB with
 * tanh. This is the layout of pix2pix's `unet_256` (the U-Net of the paper's reference
 * [11]) with the paper's block: post-activation, LeakyReLU in the decoder too.
 *
 * Choices where the paper is silent, following pix2pix: the innermost encoding block (1×1
 * at paper size) has no norm — instance statistics of one position would zero it; widths
 * ngf·min(2^i, 8); no dropout (the CycleGAN reference's `no_dropout` default).
 *
 * A SAGAN self-attention layer follows the block whose output is `attentionSize` wide: in
 * the down path after that encoding block (so its skip carries attended features too), in
 * the up path after that decoding block, before the skip concatenation. The paper only says
 * attention sits "in areas where computational demands needed to be minimized" (§4.1), i.e.
 * at a small feature map; 32×32 is SAGAN's own placement (feat32), an attention map of
 * 1024×1024 per image.
 */
export function buildAttentionUnetGenerator(o: AttentionUnetOptions): tf.LayersModel {
  const attendDown = o.attention === 'down' || o.attention === 'both';
  const attendUp = o.attention === 'up' || o.attention === 'both';
  const width = (i: number) => o.ngf * Math.min(2 ** i, 8);
  const sizeAfter = (i: number) => o.imageSize / 2 ** (i + 1);
  const attend = (x: tf.SymbolicTensor, name: string) => new SelfAttention({ name }).apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: [o.imageSize, o.imageSize, 3], name: `${o.name}_input` });
  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < o.blocks; i++) {
    x = convBlock(x, { filters: width(i), transposed: false, normalize: i < o.blocks - 1, name: `${o.name}_down${i}` });
    if (attendDown && sizeAfter(i) === o.attentionSize) x = attend(x, `${o.name}_down${i}_attention`);
    skips.push(x);
  }
  for (let i = o.blocks - 2; i >= 0; i--) {
    x = convBlock(x, { filters: width(i), transposed: true, normalize: true, name: `${o.name}_up${i}` });
    if (attendUp && sizeAfter(i) === o.attentionSize) x = attend(x, `${o.name}_up${i}_attention`);
    x = tf.layers.concatenate({ name: `${o.name}_skip${i}` }).apply([x, skips[i]!]) as tf.SymbolicTensor;
  }
  const output = tf.layers
    .conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: convKernelInit(), name: `${o.name}_output` })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: o.name });
}

interface ConvBlockOptions {
  filters: number;
  transposed: boolean;
  normalize: boolean;
  name: string;
}

/** The paper's block: (transposed) conv 4×4 stride 2 → instance norm → LeakyReLU(0.2). */
function convBlock(x: tf.SymbolicTensor, { filters, transposed, normalize, name }: ConvBlockOptions): tf.SymbolicTensor {
  const convArgs = { filters, kernelSize: 4, strides: 2, padding: 'same' as const, kernelInitializer: convKernelInit(), name: `${name}_conv` };
  let y = (transposed ? tf.layers.conv2dTranspose(convArgs) : tf.layers.conv2d(convArgs)).apply(x) as tf.SymbolicTensor;
  if (normalize) y = normLayer('instance', `${name}_norm`).apply(y) as tf.SymbolicTensor;
  return tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
}
