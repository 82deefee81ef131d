import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Objective } from './architecture.js';
import { ganLoss } from './losses/adversarial.js';
import { gradientPenalty } from './losses/gradient-penalty.js';
import { l1Loss } from './losses/pixel.js';
import { convBiasBeforeNorm, normLayer, type NormKind } from './norm-layer.js';
import { upsampleConv, upsampleKind, type UpsampleKind } from './layers/upsample-conv.js';
import { registerArchitecture } from './registry.js';
import { network, trainingForward } from './training-forward.js';
import { convKernelInit } from './weight-init.js';

/*
 * pix2pix (Isola et al., "Image-to-Image Translation with Conditional Adversarial Networks",
 * CVPR 2017) as the reference toolkit builds it (junyanz/pytorch-CycleGAN-and-pix2pix,
 * models/networks.py and models/pix2pix_model.py).
 *
 * Where tfjs differs from PyTorch:
 * - NHWC instead of NCHW; tfjs conv kernels are [kh, kw, in, out] (PyTorch [out, in, kh, kw])
 *   and transposed-conv kernels [kh, kw, out, in] (PyTorch [in, out, kh, kw]).
 * - Conv2d(k4, s2, p1) on an even size pads one pixel on each side, exactly what tfjs
 *   'same' does for k4 s2 on even sizes; ConvTranspose2d(k4, s2, p1) likewise equals tfjs
 *   conv2dTranspose 'same' (output 2H, cropping one pixel on each side of the full 2H+2).
 *   The U-Net only sees sizes divisible by 2^downs, so 'same' is exact there. Stride-1
 *   k4 p1 convs (the PatchGAN's last two) have no 'same' equivalent (tfjs would pad 1 and 2
 *   and keep the size); the PatchGAN therefore pads explicitly and convolves 'valid'.
 * - BatchNorm momentum/epsilon: see norm-layer.ts.
 * - Inference: the reference's test.py keeps the networks in training mode unless `--eval`
 *   (batch statistics and dropout at test time, the paper's "noise"); tfjs `predict` runs
 *   in inference mode (BatchNorm running statistics, no dropout).
 */

export const pix2pixOptions = z.object({
  imageSize: z.number().int().min(8).default(256),
  ngf: z.number().int().min(1).default(64),
  ndf: z.number().int().min(1).default(64),
  norm: z.enum(['batch', 'instance']).default('batch'),
  /**
   * unet_256 and unet_128 are the reference's; unet_64 and unet_32 are the same
   * `UnetGenerator` with 6 and 5 downsamplings (its minimum), for small images and tests.
   */
  netG: z.enum(['unet_256', 'unet_128', 'unet_64', 'unet_32']).default('unet_256'),
  ganMode: z.enum(['vanilla', 'lsgan', 'wgangp']).default('vanilla'),
  lambdaL1: z.number().min(0).default(100),
  /** Weight of the WGAN-GP penalty, used only with ganMode 'wgangp'. */
  lambdaGP: z.number().min(0).default(10),
  dropout: z.boolean().default(true),
  nLayersD: z.number().int().min(1).default(3),
  /** The U-Net's ×2 upsampling: the paper's transposed convs, or resize + 3×3 conv (no checkerboard; layers/upsample-conv.ts). */
  upsample: upsampleKind.default('transpose'),
})
  .refine((o) => o.imageSize % 2 ** unetDowns[o.netG] === 0, {
    error: 'imageSize must be a multiple of the size netG is named after (256 for unet_256, …)',
    path: ['imageSize'],
  })
  .refine((o) => patchGanOutputSize(o.imageSize, o.nLayersD) >= 1, { error: 'imageSize too small for nLayersD', path: ['imageSize'] });
export type Pix2pixOptions = z.infer<typeof pix2pixOptions>;

const unetDowns = { unet_256: 8, unet_128: 7, unet_64: 6, unet_32: 5 } as const;

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

function pair(source: tf.Tensor4D, image: tf.Tensor4D): tf.Tensor4D {
  return tf.concat([source, image], 3);
}

export const pix2pix = registerArchitecture<Pix2pixOptions>({
  name: 'pix2pix',
  paper: 'Isola et al. 2017, Image-to-Image Translation with Conditional Adversarial Networks; reference junyanz/pytorch-CycleGAN-and-pix2pix',
  data: 'paired',
  options: pix2pixOptions,
  testOptions: { imageSize: 32, netG: 'unet_32', ngf: 4, ndf: 4 },
  served: 'G',
  inputSize: (o) => o.imageSize,
  servedSizeMultiple: (o) => 2 ** unetDowns[o.netG],
  build(o) {
    return {
      generators: {
        G: buildUnetGenerator({ name: 'G', imageSize: o.imageSize, inputChannels: 3, outputChannels: 3, downs: unetDowns[o.netG], ngf: o.ngf, norm: o.norm, dropout: o.dropout, upsample: o.upsample }),
      },
      discriminators: {
        D: buildPatchGan({ name: 'D', imageSize: o.imageSize, inputChannels: 6, ndf: o.ndf, nLayers: o.nLayersD, norm: o.norm }),
      },
    };
  },
  generatorObjective(nets, { a, b }: Batch, o): Objective {
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const gan = ganLoss(o.ganMode, trainingForward(network(nets, 'discriminators', 'D'), pair(a, fake)), true);
    const l1 = l1Loss(fake, b).mul(o.lambdaL1) as tf.Scalar;
    return { total: gan.add(l1), terms: { gan, l1 } };
  },
  discriminatorObjective(nets, { a, b }: Batch, o): Objective {
    const D = network(nets, 'discriminators', 'D');
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const real = ganLoss(o.ganMode, trainingForward(D, pair(a, b)), true);
    const fakeLoss = ganLoss(o.ganMode, trainingForward(D, pair(a, fake)), false);
    const terms: Record<string, tf.Scalar> = { real, fake: fakeLoss };
    let total = real.add(fakeLoss).mul(0.5) as tf.Scalar;
    if (o.ganMode === 'wgangp') {
      // The reference defines cal_gradient_penalty but pix2pix_model never calls it;
      // WGAN without a penalty (or clipping) has no Lipschitz constraint, so add it here.
      terms.gradientPenalty = gradientPenalty((x) => trainingForward(D, x), pair(a, b), pair(a, fake), { lambda: o.lambdaGP });
      total = total.add(terms.gradientPenalty);
    }
    return { total, terms };
  },
});
