import type * as tf from '@tensorflow/tfjs';
import { convLReLU } from './conv.js';

export interface SdNetArgs {
  /** Channels of the Rich Init conv (the paper: 64). */
  richChannels: number;
  /** Channels after the k-th downsampling, k = 1..N. */
  channels: number[];
}

export interface SdNetOutput {
  /** The Rich Init output at full resolution, which every RTRS reads. */
  richMaps: tf.SymbolicTensor;
  /** The source features after N downsamplings. */
  features: tf.SymbolicTensor;
}

/**
 * SDNet (LDSGAN §3.1): the Rich Init conv that keeps the input's high-frequency detail
 * ("inspired by [24]": a single 3×3 conv to 64 channels, as the first conv of the
 * super-resolution nets it follows), then N stride-2 3×3 convs; an encoder with no decoder.
 */
export function sdNet(image: tf.SymbolicTensor, args: SdNetArgs): SdNetOutput {
  const richMaps = convLReLU(image, { filters: args.richChannels, kernelSize: 3, name: 'rich_init' });
  let features = richMaps;
  args.channels.forEach((filters, k) => {
    features = convLReLU(features, { filters, kernelSize: 3, strides: 2, name: `sdnet_down${k + 1}` });
  });
  return { richMaps, features };
}
