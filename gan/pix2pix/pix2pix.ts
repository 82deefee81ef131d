import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Objective } from '../architecture.js';
import { ganLoss } from '../losses/adversarial.js';
import { gradientPenalty } from '../losses/gradient-penalty.js';
import { l1Loss } from '../losses/pixel.js';
import { buildPatchGan, patchGanOutputSize } from '../blocks/patchgan.js';
import { buildUnetGenerator } from '../blocks/unet-generator.js';
import { upsampleKind } from '../blocks/upsample-conv.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

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
 * - BatchNorm momentum/epsilon: see ../blocks/norm-layer.ts.
 * - Inference: the reference's test.py keeps the networks in training mode unless `--eval`
 *   (batch statistics and dropout at test time, the paper's "noise"); tfjs `predict` runs
 *   in inference mode (BatchNorm running statistics, no dropout).
 */

export const pix2pixOptions = z
  .object({
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
    /** The U-Net's ×2 upsampling: the paper's transposed convs, or resize + 3×3 conv (no checkerboard; ../blocks/upsample-conv.ts). */
    upsample: upsampleKind.default('transpose'),
  })
  .refine((o) => o.imageSize % 2 ** unetDowns[o.netG] === 0, {
    error: 'imageSize must be a multiple of the size netG is named after (256 for unet_256, …)',
    path: ['imageSize'],
  })
  .refine((o) => patchGanOutputSize(o.imageSize, o.nLayersD) >= 1, { error: 'imageSize too small for nLayersD', path: ['imageSize'] });
export type Pix2pixOptions = z.infer<typeof pix2pixOptions>;

const unetDowns = { unet_256: 8, unet_128: 7, unet_64: 6, unet_32: 5 } as const;

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
        G: buildUnetGenerator({
          name: 'G',
          imageSize: o.imageSize,
          inputChannels: 3,
          outputChannels: 3,
          downs: unetDowns[o.netG],
          ngf: o.ngf,
          norm: o.norm,
          dropout: o.dropout,
          upsample: o.upsample,
        }),
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
