import * as tf from '@tensorflow/tfjs';
import { MinibatchStdDev } from '../../shared/layers/minibatch-stddev.js';
import { leakyReluWithGain, unitVarianceInit } from './activation.js';
import { channelsAt, type OmeOptions } from './options.js';
import { SharedLayers } from './shared-layers.js';

/**
 * The unconditional generator's discriminator: StyleGAN2's residual discriminator (Karras
 * et al. 2020, Fig. 7c), used to pretrain the generator OME runs over (both kinds; ProGAN's
 * own discriminator would serve the top-injected one as well). FromRGB, then per resolution
 * S…8 two 3×3 convs (the second with stride 2) plus a downsampling shortcut, summed with
 * weight 1/√2; at 4×4 the minibatch standard deviation, a 3×3 conv and two dense layers give
 * one logit per image.
 *
 * Downsampling differs from StyleGAN2's [1,3,3,1] blur: the main path uses a stride-2 conv
 * and the shortcut a 2×2 stride-2 conv, which can express StyleGAN2's box-filter-then-1×1
 * shortcut exactly. Both are plain convs, whose gradients tfjs differentiates again for the
 * R1 penalty (tfjs has no gradient of AvgPoolGrad).
 */
export function buildDiscriminator(options: OmeOptions): tf.LayersModel {
  const scope = new SharedLayers('d');
  const channels = (resolution: number) => channelsAt(resolution, options.discriminatorChannelBase, options.discriminatorChannelMax);
  const conv = (name: string, x: tf.SymbolicTensor, filters: number, kernelSize: number, strides = 1, useBias = true) =>
    scope.apply(name, (n) => tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias, kernelInitializer: unitVarianceInit(), name: n }), x);
  const image = tf.input({ shape: [options.imageSize, options.imageSize, 3], name: 'd_image' });
  let x = leakyReluWithGain(scope, 'fromrgb', conv('fromrgb', image, channels(options.imageSize), 1));
  for (let resolution = options.imageSize; resolution > 4; resolution /= 2) {
    const next = channels(resolution / 2);
    let h = leakyReluWithGain(scope, `b${resolution}_conv0`, conv(`b${resolution}_conv0`, x, channels(resolution), 3));
    h = leakyReluWithGain(scope, `b${resolution}_conv1`, conv(`b${resolution}_conv1`, h, next, 3, 2));
    const skip = conv(`b${resolution}_skip`, x, next, 2, 2, false);
    const sum = scope.apply(`b${resolution}_add`, (n) => tf.layers.add({ name: n }), [h, skip]);
    x = scope.apply(`b${resolution}_scale`, (n) => tf.layers.rescaling({ scale: Math.SQRT1_2, name: n }), sum);
  }
  x = scope.apply('b4_mbstd', (n) => new MinibatchStdDev({ groupSize: 4, features: 1, name: n }), x);
  x = leakyReluWithGain(scope, 'b4_conv', conv('b4_conv', x, channels(4), 3));
  x = scope.apply('b4_flatten', (n) => tf.layers.flatten({ name: n }), x);
  const dense = (units: number) => (n: string) => tf.layers.dense({ units, kernelInitializer: unitVarianceInit(), name: n });
  x = leakyReluWithGain(scope, 'b4_fc', scope.apply('b4_fc', dense(channels(4)), x));
  const logit = scope.apply('b4_out', dense(1), x);
  return tf.model({ inputs: image, outputs: logit, name: 'D_uncond' });
}
