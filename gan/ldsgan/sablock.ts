import * as tf from '@tensorflow/tfjs';
import { BlurUpsample } from '../../shared/layers/blur-upsample.js';
import { modulatedConv } from '../../shared/layers/modulated-conv.js';
import { conv, lrelu } from './conv.js';

export interface SaBlockArgs {
  filters: number;
  name: string;
}

export interface SaBlockOutput {
  features: tf.SymbolicTensor;
  rgb: tf.SymbolicTensor;
}

/**
 * Search Apply Block (LDSGAN §3.3, Figure 3), a StyleGAN2 synthesis block of its "skip"
 * generator driven by one route code: a 3×3 modulated conv that upsamples 2× (StyleGAN2's
 * anti-aliased upsampling, the paper's remedy for checkerboard artifacts), a 3×3 modulated
 * conv, each demodulated and followed by LeakyReLU 0.2, no noise inputs (the paper drops
 * them), and a modulated, non-demodulated 1×1 ToRGB whose output is added to the upsampled
 * RGB of the previous scale. The same code drives all three convs, as the paper says.
 *
 * Without a code (the "w/o RTRS" ablation, "equivalent to an autoencoder") the same block
 * is built from plain convs, so the ablation removes only the route search.
 */
export function saBlock(features: tf.SymbolicTensor, rgb: tf.SymbolicTensor, code: tf.SymbolicTensor | undefined, args: SaBlockArgs): SaBlockOutput {
  const { filters, name } = args;
  const upsample = (x: tf.SymbolicTensor, layerName: string) => new BlurUpsample({ name: layerName }).apply(x) as tf.SymbolicTensor;
  let h: tf.SymbolicTensor;
  let toRgb: tf.SymbolicTensor;
  if (code) {
    h = lrelu(modulatedConv(features, code, { filters, kernelSize: 3, demodulate: true, upsample: true, name: `${name}_conv0` }), `${name}_conv0_lrelu`);
    h = lrelu(modulatedConv(h, code, { filters, kernelSize: 3, demodulate: true, name: `${name}_conv1` }), `${name}_conv1_lrelu`);
    toRgb = modulatedConv(h, code, { filters: 3, kernelSize: 1, demodulate: false, name: `${name}_torgb` });
  } else {
    h = lrelu(conv(upsample(features, `${name}_upsample`), { filters, kernelSize: 3, name: `${name}_conv0` }), `${name}_conv0_lrelu`);
    h = lrelu(conv(h, { filters, kernelSize: 3, name: `${name}_conv1` }), `${name}_conv1_lrelu`);
    toRgb = conv(h, { filters: 3, kernelSize: 1, name: `${name}_torgb` });
  }
  const skip = upsample(rgb, `${name}_rgb_upsample`);
  return { features: h, rgb: tf.layers.add({ name: `${name}_rgb` }).apply([skip, toRgb]) as tf.SymbolicTensor };
}
