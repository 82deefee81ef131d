import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Networks, Objective } from '../architecture.js';
import { BilinearDownsample } from '../../shared/layers/bilinear-downsample.js';
import { ganLoss } from '../losses/adversarial.js';
import { activeFeatureNetwork } from '../losses/feature-network.js';
import { multiScalePerceptualLoss } from '../losses/perceptual.js';
import { l1Loss } from '../losses/pixel.js';
import { buildPatchGan } from '../blocks/patchgan.js';
import { STAGES, buildPmsGenerator, stageOutputs } from './generator.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

/*
 * PMSGAN (Liang, Zhu, Wang, Yang, Gao, "PMSGAN: Parallel Multistage GANs for Face Image
 * Translation", IEEE TNNLS 2023; ../shared/papers/pmsgan.txt). §III-A: the generator
 * (pmsgan/generator.ts and the module files beside it); §III-B: the losses below. §IV-A-1
 * trains with Adam (lr 2e-4, β1 0.5, β2 0.99), batch size 1, alternating D and G every
 * iteration, weights ~ N(0, 0.02) (the initialisation is built in; the rest is the trainer's).
 *
 * Choices where the paper is silent, taken from the work it builds on (MIMO-UNet, Cho et al.
 * ICCV 2021, its [35], whose multi-input multi-output U-Net, feature attention module and
 * "modified residual blocks" PMSGAN's stages reuse):
 * - widths 32/64/128 for the three stages, ReLU, no normalisation in the generator;
 * - bilinear (half-pixel) downsampling of the input and the ground truth for stages 2 and 3;
 * - CSASP atrous rates 1, 2, 4 for the branches from stages 1, 2, 3 (a rate growing with the
 *   source stage's downsampling factor, so coarse stages get wide context as §III-A-2 asks);
 *   channel attention is SE/RCAN's with reduction 16;
 * - the discriminators (not described) are pix2pix's 70×70 PatchGAN, unconditional as
 *   eq. (1) writes D_Yj(y), one per scale, with instance norm: the paper trains with batch
 *   size 1, where batch norm is instance norm, and instance norm keeps that at any batch size;
 * - eq. (1) is a least-squares GAN printed with real label 0 and fake label 1; the labels
 *   are symmetric, so the usual convention (`ganLoss('lsgan')`: D pushes real to 1 and fake
 *   to 0, G pushes fake to 1) trains the same. The discriminator's terms are summed as
 *   eq. (1) writes them (no ½);
 * - eq. (2)'s φ_k: every tapped layer of the feature network, each term a mean absolute
 *   difference, summed (pix2pixHD's VGG loss with equal weights). The network is the active
 *   FeatureNetwork (losses/feature-network.ts): VGG-19 relu{1..5}_1 when converted weights
 *   are loaded, else the seeded random conv pyramid — its `name` says which.
 * - `lambdaPixel` adds an L1 term per scale; the paper has none, so its default is 0.
 */

export const pmsganOptions = z
  .object({
    /** 256 for CUFS/CUFSF, 512 for APDrawing and Sketch2Anime (§IV-A-1). */
    imageSize: z.number().int().min(16).default(256),
    baseChannels: z.number().int().min(1).default(32),
    /** Modified residual blocks in every encoder and decoder (§III-A: five). */
    residualBlocks: z.number().int().min(0).default(5),
    denseLayers: z.number().int().min(1).default(4),
    csaspRates: z.array(z.number().int().min(1)).length(STAGES).default([1, 2, 4]),
    channelReduction: z.number().int().min(1).default(16),
    eff: z.boolean().default(true),
    dff: z.boolean().default(true),
    csasp: z.boolean().default(true),
    mssa: z.boolean().default(true),
    ndf: z.number().int().min(1).default(64),
    /** Stride-2 layers of each PatchGAN after its first (pix2pix's n_layers_D: 3, the 70×70 PatchGAN). */
    nLayersD: z.number().int().min(0).default(3),
    /** λ1 and λ2 of eq. (3). */
    lambdaAdversarial: z.number().min(0).default(1),
    lambdaPerceptual: z.number().min(0).default(5),
    lambdaPixel: z.number().min(0).default(0),
  })
  .refine((o) => o.imageSize % 2 ** (STAGES - 1) === 0, { error: 'imageSize must be a multiple of 4 (three stages)', path: ['imageSize'] })
  .refine((o) => patchGanOutputSize(o.imageSize / 2 ** (STAGES - 1), o.nLayersD) >= 1, {
    error: 'the quarter-resolution PatchGAN would have no output: lower nLayersD or raise imageSize',
    path: ['nLayersD'],
  });
export type PmsganOptions = z.infer<typeof pmsganOptions>;

/** Side of buildPatchGan's score map: stride-2 k4 p1 convs halve, the two stride-1 ones take 1 each. */
function patchGanOutputSize(imageSize: number, nLayers: number): number {
  return imageSize / 2 ** Math.max(1, nLayers) - (nLayers > 0 ? 2 : 1);
}

const halve = new BilinearDownsample({ factor: 2, name: 'pmsgan_target_halve' });

/** The ground truth at the three stage resolutions, y, y^2, y^3 (same resizing as the generator's input). */
function targetPyramid(y: tf.Tensor4D): tf.Tensor4D[] {
  const scales = [y];
  for (let stage = 2; stage <= STAGES; stage++) scales.push(halve.apply(scales[stage - 2]!) as tf.Tensor4D);
  return scales;
}

/** The score map of stage j's discriminator D_Yj for images at that stage's resolution. */
function discriminate(nets: Networks, stage: number, images: tf.Tensor4D): tf.Tensor4D {
  return trainingForward(network(nets, 'discriminators', `D${stage}`), images);
}

/** The generator's images at the three resolutions, [y^out, D_2^out(RGB), D_3^out(RGB)]. */
function generatedScales(nets: Networks, a: tf.Tensor4D): tf.Tensor4D[] {
  return stageOutputs(network(nets, 'generators', 'G')).apply(a, { training: true }) as tf.Tensor4D[];
}

function sum(terms: tf.Scalar[]): tf.Scalar {
  return tf.addN(terms) as tf.Scalar;
}

export const pmsgan = registerArchitecture<PmsganOptions>({
  name: 'pmsgan',
  paper: 'Liang et al. 2023, PMSGAN: Parallel Multistage GANs for Face Image Translation (IEEE TNNLS); pmsgan.txt',
  data: 'paired',
  options: pmsganOptions,
  testOptions: { imageSize: 16, baseChannels: 2, residualBlocks: 1, denseLayers: 2, ndf: 4, nLayersD: 0 },
  served: 'G',
  inputSize: (o) => o.imageSize,
  build(o) {
    // Create the perceptual feature network now rather than inside the first training step,
    // so its fixed weights exist before training starts and are not mistaken for a leak.
    activeFeatureNetwork();
    const discriminators: Record<string, tf.LayersModel> = {};
    for (let stage = 1; stage <= STAGES; stage++) {
      const name = `D${stage}`;
      discriminators[name] = buildPatchGan({ name, imageSize: o.imageSize / 2 ** (stage - 1), inputChannels: 3, ndf: o.ndf, nLayers: o.nLayersD, norm: 'instance' });
    }
    return { generators: { G: buildPmsGenerator(o) }, discriminators };
  },
  generatorObjective(nets, { a, b }: Batch, o): Objective {
    const fakes = generatedScales(nets, a);
    const reals = targetPyramid(b);
    const adversarial = sum(fakes.map((fake, i) => ganLoss('lsgan', discriminate(nets, i + 1, fake), true)));
    const perceptual = multiScalePerceptualLoss(
      activeFeatureNetwork(),
      fakes.map((fake, i) => ({ fake, real: reals[i]! })),
    );
    const terms: Record<string, tf.Scalar> = { adversarial, perceptual };
    let total = adversarial.mul(o.lambdaAdversarial).add(perceptual.mul(o.lambdaPerceptual)) as tf.Scalar;
    if (o.lambdaPixel > 0) {
      terms.pixel = sum(fakes.map((fake, i) => l1Loss(fake, reals[i]!)));
      total = total.add(terms.pixel.mul(o.lambdaPixel));
    }
    return { total, terms };
  },
  discriminatorObjective(nets, { a, b }: Batch): Objective {
    const fakes = generatedScales(nets, a);
    const reals = targetPyramid(b);
    const real = sum(reals.map((y, i) => ganLoss('lsgan', discriminate(nets, i + 1, y), true)));
    const fake = sum(fakes.map((f, i) => ganLoss('lsgan', discriminate(nets, i + 1, f), false)));
    return { total: real.add(fake), terms: { real, fake } };
  },
});
