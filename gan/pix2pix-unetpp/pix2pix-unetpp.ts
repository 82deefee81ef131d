import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Networks, Objective } from '../architecture.js';
import { ganLoss } from '../losses/adversarial.js';
import { differentialGanLoss } from './differential-image.js';
import { l1Loss } from '../losses/pixel.js';
import { buildPatchGan } from '../blocks/patchgan.js';
import { buildUnetGenerator } from '../blocks/unet-generator.js';
import { upsampleKind } from '../blocks/upsample-conv.js';
import { buildUnetPlusPlusGenerator } from './unetpp-generator.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

/*
 * Zhao, Yu & Bian, "Image to Image Translation Based on Differential Image Pix2Pix Model"
 * (../shared/papers/pix2pix-unetpp-differential.txt): pix2pix with a U-Net++ generator
 * (§3.1, depth 8 per §4.3.1) and, besides the conditional PatchGAN D(x, y), a differential
 * image discriminator D_differ(x, y − x) (§3.2), trained with Eqs. (5)–(7) as Algorithm 2:
 *   G: log(1 − D(x, G(x))) + log(1 − D_differ(x, G(x) − x)) + λ‖y − G(x)‖₁ (non-saturating),
 *   D, D_differ: the usual real/fake log-likelihood on (x, y) and (x, y − x).
 * What the paper leaves open follows its base, the pix2pix reference: λ = 100, the
 * 70×70 PatchGAN (also for D_differ, fed 6 channels likewise), halved D losses, batch norm.
 */

export const pix2pixUnetppOptions = z
  .object({
    imageSize: z.number().int().min(8).default(256),
    /** 'unet' is pix2pix's U-Net (with ngf 64 its width; the paper's "Differ P2P" ablation with D_differ). */
    generator: z.enum(['unet++', 'unet']).default('unet++'),
    /** U-Net++ depth, the number of down-samplings; §4.3.1 settles on 8. */
    depth: z.number().int().min(2).default(8),
    /**
     * Top-level width (unstated): U-Net++'s own 32 (Zhou et al.), capped at 8·ngf = 256.
     * Counting transposed convs per output pixel, which gives pix2pix's U-Net 18.1 G
     * multiply-adds against the paper's 19.07 G FLOPs (Table 3), this generator has 38.8 G
     * against the paper's 36.37 G at depth 8 (Table 2), and 37.4 M parameters; pix2pix's
     * 64 would give 154 G and 150 M.
     */
    ngf: z.number().int().min(1).default(32),
    ndf: z.number().int().min(1).default(64),
    /** The paper's "channel normalization layer"; pix2pix's batch norm unless set. */
    norm: z.enum(['batch', 'instance']).default('batch'),
    /** Dropout rate of the paper's block (rate unstated; pix2pix's 0.5). */
    dropout: z.number().min(0).max(0.9).default(0.5),
    nLayersD: z.number().int().min(1).default(3),
    /**
     * The second discriminator: the paper's differential image one, a second conditional
     * PatchGAN ("DD Pix2Pix", §4.3.3), or none (plain pix2pix objective, "U-Net++P2P").
     */
    secondDiscriminator: z.enum(['differential', 'conditional', 'none']).default('differential'),
    /** Eqs. (2) and (6) are log-likelihood GAN losses ('vanilla'). */
    ganMode: z.enum(['vanilla', 'lsgan']).default('vanilla'),
    /** λ of Eq. (5); unstated, pix2pix's 100. */
    lambdaL1: z.number().min(0).default(100),
    /** Up-sampling of every up block: the paper's transposed conv, or resize + 3×3 conv (no checkerboard; ../blocks/upsample-conv.ts). */
    upsample: upsampleKind.default('transpose'),
  })
  .refine((o) => o.imageSize % 2 ** o.depth === 0, {
    error: 'imageSize must be a multiple of 2^depth (256 for depth 8)',
    path: ['imageSize'],
  });
export type Pix2pixUnetppOptions = z.infer<typeof pix2pixUnetppOptions>;

/** The second discriminator's network name, by kind. */
const secondName = { differential: 'D_differ', conditional: 'D_dual' } as const;

function pair(source: tf.Tensor4D, image: tf.Tensor4D): tf.Tensor4D {
  return tf.concat([source, image], 3);
}

/** The second discriminator's loss for `image` (target or generated) given the source. */
function secondGanLoss(nets: Networks, o: Pix2pixUnetppOptions, source: tf.Tensor4D, image: tf.Tensor4D, targetIsReal: boolean): tf.Scalar | undefined {
  if (o.secondDiscriminator === 'none') return undefined;
  const D = network(nets, 'discriminators', secondName[o.secondDiscriminator]);
  const judge = (x: tf.Tensor4D) => trainingForward(D, x);
  return o.secondDiscriminator === 'differential' ? differentialGanLoss(o.ganMode, judge, source, image, targetIsReal) : ganLoss(o.ganMode, judge(pair(source, image)), targetIsReal);
}

export const pix2pixUnetpp = registerArchitecture<Pix2pixUnetppOptions>({
  name: 'pix2pix-unetpp',
  paper: 'Zhao, Yu & Bian 2023, Image to Image Translation Based on Differential Image Pix2Pix Model (shared/papers/pix2pix-unetpp-differential.txt)',
  data: 'paired',
  options: pix2pixUnetppOptions,
  testOptions: { imageSize: 16, depth: 4, ngf: 4, ndf: 2, nLayersD: 2 },
  served: 'G',
  inputSize: (o) => o.imageSize,
  servedSizeMultiple: (o) => 2 ** o.depth,
  build(o) {
    const G =
      o.generator === 'unet++'
        ? buildUnetPlusPlusGenerator({ name: 'G', imageSize: o.imageSize, depth: o.depth, ngf: o.ngf, norm: o.norm, dropout: o.dropout, upsample: o.upsample })
        : buildUnetGenerator({
            name: 'G',
            imageSize: o.imageSize,
            inputChannels: 3,
            outputChannels: 3,
            downs: o.depth,
            ngf: o.ngf,
            norm: o.norm,
            dropout: o.dropout > 0,
            upsample: o.upsample,
          });
    // Both discriminators see 6 channels: the source and the target, or the source and the
    // differential image.
    const patchGan = (name: string) => buildPatchGan({ name, imageSize: o.imageSize, inputChannels: 6, ndf: o.ndf, nLayers: o.nLayersD, norm: o.norm });
    const discriminators: Record<string, tf.LayersModel> = { D: patchGan('D') };
    if (o.secondDiscriminator !== 'none') discriminators[secondName[o.secondDiscriminator]] = patchGan(secondName[o.secondDiscriminator]);
    return { generators: { G }, discriminators };
  },
  generatorObjective(nets, { a, b }: Batch, o): Objective {
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const terms: Record<string, tf.Scalar> = {
      gan: ganLoss(o.ganMode, trainingForward(network(nets, 'discriminators', 'D'), pair(a, fake)), true),
      l1: l1Loss(fake, b).mul(o.lambdaL1) as tf.Scalar,
    };
    const second = secondGanLoss(nets, o, a, fake, true);
    if (second) terms.gan2 = second;
    return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
  },
  discriminatorObjective(nets, { a, b }: Batch, o): Objective {
    // Algorithm 2 updates D and D_differ on their own losses; their weights are disjoint, so
    // one step on the sum is the same update. Each is halved as in the pix2pix reference.
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const D = network(nets, 'discriminators', 'D');
    const terms: Record<string, tf.Scalar> = {
      real: ganLoss(o.ganMode, trainingForward(D, pair(a, b)), true),
      fake: ganLoss(o.ganMode, trainingForward(D, pair(a, fake)), false),
    };
    const secondReal = secondGanLoss(nets, o, a, b, true);
    const secondFake = secondGanLoss(nets, o, a, fake, false);
    if (secondReal && secondFake) Object.assign(terms, { real2: secondReal, fake2: secondFake });
    return { total: tf.addN(Object.values(terms)).mul(0.5) as tf.Scalar, terms };
  },
});
