import * as tf from '@tensorflow/tfjs';
import { PixelNorm } from '../../shared/layers/pixel-norm.js';
import { channelsAt, generatorChannelBase, type OmeOptions } from './options.js';
import type { SharedLayers } from './shared-layers.js';

/**
 * A generator that takes its latent at the top, as ProGAN (Karras et al. 2018, Table 2):
 * normalised z → dense 4×4 → per resolution two 3×3 convs with LeakyReLU(0.2) and pixel norm,
 * nearest 2× upsampling between resolutions → 1×1 ToRGB, trained at full resolution (no
 * progressive growing) with a final tanh for the [-1, 1] output range. OME splits it into
 * G_pre and G_post (§3.3, after mGANprior) before its "final feature extraction layer, the
 * eighth layer in ProGAN": the end of the 32×32 stage of a 256² ProGAN, i.e. resolution S/8.
 */
export function fusionResolution(imageSize: number): number {
  return Math.max(4, imageSize / 8);
}

/** G_pre: a latent [N, D] → the feature map F = G_pre(z) at `fusionResolution` (eq. 6). */
export function topInjectedHead(scope: SharedLayers, z: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  const c4 = channels(options, 4);
  let h = scope.apply('head_normalize', (name) => new PixelNorm({ name }), z);
  h = scope.apply('head_dense', (name) => tf.layers.dense({ units: 16 * c4, kernelInitializer: 'heNormal', name }), h);
  h = scope.apply('head_reshape', (name) => tf.layers.reshape({ targetShape: [4, 4, c4], name }), h);
  h = activate(scope, 'head_dense', h);
  h = conv(scope, 'b4_conv', h, c4);
  for (let resolution = 8; resolution <= fusionResolution(options.imageSize); resolution *= 2) h = block(scope, resolution, h, options);
  return h;
}

/** G_post: the (fused) feature map at `fusionResolution` → the image (eq. 9). */
export function topInjectedTail(scope: SharedLayers, features: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  let h = features;
  for (let resolution = 2 * fusionResolution(options.imageSize); resolution <= options.imageSize; resolution *= 2) h = block(scope, resolution, h, options);
  const rgb = scope.apply('torgb', (name) => tf.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: 'heNormal', name }), h);
  return scope.apply('output', (name) => tf.layers.activation({ activation: 'tanh', name }), rgb);
}

function channels(options: OmeOptions, resolution: number): number {
  return channelsAt(resolution, generatorChannelBase(options), options.generatorChannelMax);
}

function block(scope: SharedLayers, resolution: number, x: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  const up = scope.apply(`b${resolution}_up`, (name) => tf.layers.upSampling2d({ size: [2, 2], name }), x);
  const h = conv(scope, `b${resolution}_conv0`, up, channels(options, resolution));
  return conv(scope, `b${resolution}_conv1`, h, channels(options, resolution));
}

function conv(scope: SharedLayers, name: string, x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  const create = (fullName: string) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: 'heNormal', name: fullName });
  return activate(scope, name, scope.apply(name, create, x));
}

/** ProGAN's LeakyReLU(0.2) followed by pixelwise feature normalisation. */
function activate(scope: SharedLayers, name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
  const h = scope.apply(`${name}_lrelu`, (fullName) => tf.layers.leakyReLU({ alpha: 0.2, name: fullName }), x);
  return scope.apply(`${name}_norm`, (fullName) => new PixelNorm({ name: fullName }), h);
}
