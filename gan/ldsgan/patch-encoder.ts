import type * as tf from '@tensorflow/tfjs';
import { conv, convLReLU } from './conv.js';

export interface PatchEncoderArgs {
  /** Width of the first conv (PatchGAN `ndf`); later ones ndf·min(2^n, 8). */
  ndf: number;
  /** Stride-2 convs (PatchGAN `n_layers`; 3 gives the 70×70 receptive field). */
  layers: number;
  name: string;
}

/**
 * The PatchGAN discriminator body (pix2pix `NLayerDiscriminator`: k4 convs, `layers`
 * stride-2 then one stride-1 conv, LeakyReLU 0.2, a final 1-channel k4 conv), as LDSGAN
 * uses it for the RTRS encoder (§3.3) and, here, for its critic. It differs from
 * pix2pix's buildPatchGan in what the paper asks: no normalisation layers, Kaiming-normal
 * init (§4.2). Padding is 'same' rather than PyTorch's 1 pixel, so the map is
 * ceil(size/2^layers) wide and exists even at the 8×8 input of the lowest RTRS
 * (PyTorch's padding would shrink it to nothing there).
 */
export function patchEncoder(x: tf.SymbolicTensor, args: PatchEncoderArgs): tf.SymbolicTensor {
  let h = x;
  for (let n = 0; n < args.layers; n++) {
    h = convLReLU(h, { filters: args.ndf * Math.min(2 ** n, 8), kernelSize: 4, strides: 2, name: `${args.name}_conv${n}` });
  }
  h = convLReLU(h, { filters: args.ndf * Math.min(2 ** args.layers, 8), kernelSize: 4, name: `${args.name}_conv${args.layers}` });
  return conv(h, { filters: 1, kernelSize: 4, name: `${args.name}_patches` });
}
