import * as tf from '@tensorflow/tfjs';
import { BatchConstant } from '../../shared/layers/batch-constant.js';
import { BlurUpsample } from '../../shared/layers/blur-upsample.js';
import { ModulatedConv, type ModulatedConvArgs } from '../../shared/layers/modulated-conv.js';
import { PixelNorm } from '../../shared/layers/pixel-norm.js';
import { SelectCode } from '../../shared/layers/select-code.js';
import { leakyReluWithGain, unitVarianceInit } from './activation.js';
import { channelsAt, generatorChannelBase, type OmeOptions } from './options.js';
import type { SharedLayers } from './shared-layers.js';

/**
 * StyleGAN's mapping network f: z → w (Karras et al. 2019 §2, StyleGAN2 config-f): the
 * normalised latent through `mappingLayers` fully connected layers with LeakyReLU. StyleGAN
 * trains it with a 0.01 learning-rate multiplier under equalised learning rates; the shared
 * trainer has one learning rate, so it trains at the full rate here.
 */
export function styleMapping(scope: SharedLayers, z: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  let w = scope.apply('mapping_normalize', (name) => new PixelNorm({ name }), z);
  for (let i = 0; i < options.mappingLayers; i++) {
    const dense = (name: string) => tf.layers.dense({ units: options.codeSize, kernelInitializer: unitVarianceInit(), name });
    w = leakyReluWithGain(scope, `mapping_fc${i}`, scope.apply(`mapping_fc${i}`, dense, w));
  }
  return w;
}

/**
 * StyleGAN2's synthesis network, skip architecture (Karras et al. 2020, Fig. 7 and config-f
 * channels), at `imageSize`: a learned 4×4 input, two modulated 3×3 convs per resolution
 * (the first upsampling 2×) and a ToRGB per resolution whose outputs are upsampled and
 * summed. `codes` is [N, K, D]: K = 2·log2(S) − 2 per-layer style codes ({z_m}, M = K, OME
 * §3.2), or K = 1, one code for every layer (StyleGAN's W space). Layer inputs follow
 * rosinality's stylegan2-pytorch: the 4×4 conv takes code 0, and ToRGB of each resolution
 * shares its code with the next resolution's first conv.
 *
 * Two deviations, both for the serving contract: the per-pixel noise inputs are left out,
 * so an image is a deterministic function of its codes, and the summed RGB goes through tanh
 * so that outputs lie in [-1, 1] (StyleGAN2's output is linear and clipped for display).
 */
export function styleSynthesis(scope: SharedLayers, codes: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  const codeWidth = codes.shape[1];
  if (typeof codeWidth !== 'number') throw new Error('styleSynthesis needs a known number of codes');
  const channels = (resolution: number) => channelsAt(resolution, generatorChannelBase(options), options.generatorChannelMax);
  const selected = new Map<number, tf.SymbolicTensor>();
  const codeFor = (layer: number): tf.SymbolicTensor => {
    const index = codeWidth === 1 ? 0 : layer;
    let code = selected.get(index);
    if (!code) {
      code = scope.apply(`code${index}`, (name) => new SelectCode({ index, name }), codes);
      selected.set(index, code);
    }
    return code;
  };
  const modulated = (name: string, x: tf.SymbolicTensor, layer: number, args: ModulatedConvArgs) =>
    scope.apply(name, (fullName) => new ModulatedConv({ ...args, name: fullName }), [x, codeFor(layer)]);
  const conv = (name: string, x: tf.SymbolicTensor, layer: number, filters: number, upsample: boolean) =>
    leakyReluWithGain(scope, name, modulated(name, x, layer, { filters, kernelSize: 3, demodulate: true, upsample }));
  const toRgb = (name: string, x: tf.SymbolicTensor, layer: number) => modulated(name, x, layer, { filters: 3, kernelSize: 1, demodulate: false });

  const constant = (name: string) => new BatchConstant({ shape: [4, 4, channels(4)], learned: true, initializer: 'randomNormal', name });
  let h = conv('b4_conv', scope.apply('input', constant, codes), 0, channels(4), false);
  let rgb = toRgb('b4_torgb', h, 1);
  let layer = 1;
  for (let resolution = 8; resolution <= options.imageSize; resolution *= 2) {
    h = conv(`b${resolution}_conv0`, h, layer, channels(resolution), true);
    h = conv(`b${resolution}_conv1`, h, layer + 1, channels(resolution), false);
    const upsampled = scope.apply(`b${resolution}_skip_up`, (name) => new BlurUpsample({ name }), rgb);
    rgb = scope.apply(`b${resolution}_skip_add`, (name) => tf.layers.add({ name }), [upsampled, toRgb(`b${resolution}_torgb`, h, layer + 2)]);
    layer += 2;
  }
  return scope.apply('output', (name) => tf.layers.activation({ activation: 'tanh', name }), rgb);
}
