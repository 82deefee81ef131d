import * as tf from '@tensorflow/tfjs';
import { convBiasBeforeNorm, normLayer, type NormKind } from './norm-layer.js';
import { convKernelInit } from './weight-init.js';

/*
 * The reference toolkit's PatchGAN discriminator (junyanz/pytorch-CycleGAN-and-pix2pix,
 * models/networks.py); the tfjs-versus-PyTorch notes are in ../pix2pix/pix2pix.ts.
 */

/** Side of the PatchGAN's logit map: nLayers stride-2 k4 p1 convs, then two stride-1 ones (each −1). */
export function patchGanOutputSize(imageSize: number, nLayers: number): number {
  let size = imageSize;
  for (let n = 0; n < nLayers; n++) size = Math.floor(size / 2);
  return size - 2;
}

export interface PatchGanOptions {
  name: string;
  imageSize: number;
  inputChannels: number;
  ndf: number;
  nLayers: number;
  norm: NormKind;
}

/**
 * `NLayerDiscriminator`, the PatchGAN: k4 p1 convs, stride 2 for the first nLayers, then
 * two stride-1 ones; widths ndf·min(2^n, 8); LeakyReLU(0.2); norm on all but the first and
 * last; one logit per patch (70×70 receptive field with nLayers 3; 30×30 logits at 256 px).
 * Padding is explicit (zero, one pixel) with 'valid' convs so every size matches PyTorch.
 */
export function buildPatchGan(o: PatchGanOptions): tf.LayersModel {
  const bias = convBiasBeforeNorm(o.norm);
  const input = tf.input({ shape: [o.imageSize, o.imageSize, o.inputChannels], name: `${o.name}_input` });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (x: tf.SymbolicTensor, filters: number, strides: number, useBias: boolean, name: string) => {
    const padded = apply(tf.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }), x);
    return apply(tf.layers.conv2d({ filters, kernelSize: 4, strides, padding: 'valid', useBias, kernelInitializer: convKernelInit(), name }), padded);
  };
  const lrelu = (x: tf.SymbolicTensor, name: string) => apply(tf.layers.leakyReLU({ alpha: 0.2, name }), x);

  let x = lrelu(conv(input, o.ndf, 2, true, `${o.name}_conv0`), `${o.name}_lrelu0`);
  for (let n = 1; n <= o.nLayers; n++) {
    const stride = n < o.nLayers ? 2 : 1;
    x = conv(x, o.ndf * Math.min(2 ** n, 8), stride, bias, `${o.name}_conv${n}`);
    x = apply(normLayer(o.norm, `${o.name}_norm${n}`), x);
    x = lrelu(x, `${o.name}_lrelu${n}`);
  }
  const output = conv(x, 1, 1, true, `${o.name}_logits`);
  return tf.model({ inputs: input, outputs: output, name: o.name });
}
