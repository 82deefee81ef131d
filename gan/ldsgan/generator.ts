import * as tf from '@tensorflow/tfjs';
import { conv } from './conv.js';
import { ldtNet } from './ldtnet.js';
import { rtrs } from './rtrs.js';
import { saBlock } from './sablock.js';
import { sdNet } from './sdnet.js';

/** `full`: one RTRS per SABlock; `one`: a single RTRS emits every block's code; `none`: no RTRS (§4.4.1). */
export type RtrsMode = 'none' | 'one' | 'full';

export interface LdsganGeneratorArgs {
  imageSize: number;
  /** N, the SDNet downsamplings and TDSNet SABlocks. */
  downsamplings: number;
  /** Channels at full resolution (the Rich Init's 64); doubled per halving up to maxChannels. */
  baseChannels: number;
  maxChannels: number;
  residualBlocks: number;
  codeSize: number;
  rtrsChannels: number;
  rtrsLayers: number;
  rtrs: RtrsMode;
}

/**
 * The LDSGAN generator (§3, Figure 2): SDNet → LDTNet → TDSNet. TDSNet starts from
 * RGB₀ = ToRGB(LDTNet output) and runs N (RTRS, SABlock) pairs, each doubling the size;
 * the RGB outputs of all scales are summed (StyleGAN2's skip generator).
 *
 * Choices where the paper is silent: the channel count at resolution r is
 * min(maxChannels, baseChannels·imageSize/r), StyleGAN2's schedule, which gives the paper's
 * 64 channels at 512 px; RGB₀'s ToRGB is a plain 1×1 conv since no route code exists before
 * the first RTRS; the summed RGB goes through tanh so outputs lie in [-1, 1] like the inputs.
 */
export function buildLdsganGenerator(args: LdsganGeneratorArgs): tf.LayersModel {
  const n = args.downsamplings;
  const channelsAt = (size: number) => Math.min(args.maxChannels, (args.baseChannels * args.imageSize) / size);
  const sizeAfter = (halvings: number) => args.imageSize / 2 ** halvings;

  const image = tf.input({ shape: [args.imageSize, args.imageSize, 3], name: 'G_input' });
  const sd = sdNet(image, {
    richChannels: args.baseChannels,
    channels: Array.from({ length: n }, (_, k) => channelsAt(sizeAfter(k + 1))),
  });
  let features = ldtNet(sd.features, args.residualBlocks);
  let rgb = conv(features, { filters: 3, kernelSize: 1, name: 'torgb0' });

  const searchArgs = { ndf: args.rtrsChannels, layers: args.rtrsLayers, codeSize: args.codeSize };
  const sharedCodes = args.rtrs === 'one' ? rtrs(sd.richMaps, rgb, { ...searchArgs, heads: n, name: 'rtrs' }) : undefined;
  for (let i = 0; i < n; i++) {
    const code = args.rtrs === 'full' ? rtrs(sd.richMaps, rgb, { ...searchArgs, heads: 1, name: `rtrs${i}` })[0] : sharedCodes?.[i];
    ({ features, rgb } = saBlock(features, rgb, code, { filters: channelsAt(sizeAfter(n - i - 1)), name: `sablock${i}` }));
  }
  const output = tf.layers.activation({ activation: 'tanh', name: 'G_output' }).apply(rgb) as tf.SymbolicTensor;
  return tf.model({ inputs: image, outputs: output, name: 'G' });
}
