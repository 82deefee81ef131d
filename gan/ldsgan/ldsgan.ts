import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Networks, Objective } from '../architecture.js';
import { buildLdsganCritic } from './critic.js';
import { buildLdsganGenerator } from './generator.js';
import { ganLoss } from '../losses/adversarial.js';
import { gradientPenalty, lazyRegularization } from '../losses/gradient-penalty.js';
import { regionalHueLoss } from './hue-loss.js';
import { hardSketchLoss, softSketchLoss } from './sketch-loss.js';
import { registerArchitecture } from '../registry.js';

/*
 * LDSGAN (Wang et al. 2025, "LDSGAN: Unsupervised Image-to-Image Translation With
 * Long-Domain Search GAN for Generating High-Quality Anime Images", ../shared/papers/ldsgan.txt).
 * Unsupervised, unpaired translation (photo/sketch → anime): one generator G, no cycle
 * (the paper drops cycle consistency on purpose, Figure 2), one WGAN-GP critic D.
 * Networks: ./ldsgan/ (SDNet §3.1, LDTNet §3.2, TDSNet = RTRS + SABlock §3.3). Losses §3.4.
 *
 * Training settings of §4.2 that are not part of this interface: Adam, lr 1e-4,
 * β = (0, 0.99), 400k iterations.
 *
 * The available text lost the paper's equations and never states N, the residual block
 * count or the critic; the choices are written where they are made. The defaults here:
 * 512 px (§4.1), N = 4 (a 32×32 bottleneck, as deep as StyleGAN2's 512-px generator runs at
 * 512 channels), 9 residual blocks (CycleGAN's ResNet generator for ≥256 px, the paper's
 * I2I baseline [15]), 512-long route codes and 64 Rich Init channels (Figure 2).
 */

export const ldsganOptions = z
  .object({
    imageSize: z.number().int().min(8).default(512),
    /** N: SDNet downsamplings = TDSNet SABlocks (§3.1: "depends on prior knowledge"). */
    downsamplings: z.number().int().min(1).max(8).default(4),
    /** Rich Init channels (Figure 2: 64); the channel count doubles per halving. */
    baseChannels: z.number().int().min(1).default(64),
    maxChannels: z.number().int().min(1).default(512),
    /** LDTNet residual blocks. */
    residualBlocks: z.number().int().min(0).default(9),
    /** Route code length (Figure 2: 512). */
    codeSize: z.number().int().min(1).default(512),
    /** Width (ndf) and stride-2 convs of the RTRS PatchGAN encoders. */
    rtrsChannels: z.number().int().min(1).default(64),
    rtrsLayers: z.number().int().min(1).default(3),
    /** Width (ndf) and stride-2 convs of the PatchGAN critic. */
    criticChannels: z.number().int().min(1).default(64),
    criticLayers: z.number().int().min(1).default(3),
    /** RTRS ablation (§4.4.1, Table 2): full RTRS, one RTRS for all codes, or none. */
    rtrs: z.enum(['none', 'one', 'full']).default('full'),
    /** λ1…λ4 of L_G (§3.4): adversarial, regional hue, Soft-Sketch, Hard-Sketch. */
    lambdaAdversarial: z.number().min(0).default(1),
    lambdaHue: z.number().min(0).default(10),
    lambdaSoftSketch: z.number().min(0).default(10),
    lambdaHardSketch: z.number().min(0).default(1),
    /** Line strength above which a source line counts in the Hard-Sketch target. */
    hardSketchThreshold: z.number().gt(0).lt(1).default(0.5),
    /** WGAN-GP penalty weight (Gulrajani et al.'s λ = 10). */
    gradientPenaltyWeight: z.number().min(0).default(10),
    /** Lazy regularisation (§4.2): the penalty on every 16th critic step, ×16. */
    gradientPenaltyEvery: z.number().int().min(1).default(16),
  })
  .refine((o) => o.imageSize % 2 ** o.downsamplings === 0, {
    error: 'imageSize must be a multiple of 2^downsamplings',
    path: ['imageSize'],
  });
export type LdsganOptions = z.infer<typeof ldsganOptions>;

/**
 * Critic steps taken per critic model, for lazy regularisation. The Architecture interface
 * passes no step number, so each discriminatorObjective call counts as one step (the
 * trainer calls it once per critic update); the count starts at 0, so the first step is
 * penalised. Keyed weakly by the model so that separate trainings count separately.
 */
const criticSteps = new WeakMap<tf.LayersModel, number>();

function nextCriticStep(critic: tf.LayersModel): number {
  const step = criticSteps.get(critic) ?? 0;
  criticSteps.set(critic, step + 1);
  return step;
}

function network(nets: Networks, kind: 'generators' | 'discriminators', name: string): tf.LayersModel {
  const model = nets[kind][name];
  if (!model) throw new Error(`ldsgan: missing network ${name}`);
  return model;
}

function run(model: tf.LayersModel, x: tf.Tensor): tf.Tensor4D {
  return model.apply(x, { training: true }) as tf.Tensor4D;
}

export const ldsgan = registerArchitecture<LdsganOptions>({
  name: 'ldsgan',
  paper: 'ldsgan.txt — Wang et al. 2025, LDSGAN: Unsupervised Image-to-Image Translation With Long-Domain Search GAN for Generating High-Quality Anime Images',
  data: 'unpaired',
  options: ldsganOptions,
  // Small enough that 20 D+G steps fit the test budget on tfjs' naive cpu conv gradients.
  testOptions: {
    imageSize: 16,
    downsamplings: 2,
    baseChannels: 4,
    maxChannels: 8,
    residualBlocks: 1,
    codeSize: 8,
    rtrsChannels: 2,
    rtrsLayers: 2,
    criticChannels: 2,
  },
  served: 'G',
  // §4.2 (WGAN-GP critic, lazy penalty) mentions no pool of past fakes: off unless pool_size asks.
  imagePoolSize: 0,
  inputSize: (o) => o.imageSize,
  build(o) {
    return {
      generators: { G: buildLdsganGenerator(o) },
      discriminators: { D: buildLdsganCritic({ imageSize: o.imageSize, ndf: o.criticChannels, layers: o.criticLayers }) },
    };
  },
  /** L_G = λ1·L_adv + λ2·L_hue + λ3·L_ss + λ4·L_hs (§3.4), with a = source domain x. */
  generatorObjective(nets, { a }: Batch, o): Objective {
    const fake = run(network(nets, 'generators', 'G'), a);
    const terms = {
      adversarial: ganLoss('wgangp', run(network(nets, 'discriminators', 'D'), fake), true),
      // Hue regions are the bottleneck's cells (2^N pixels): the colour layout LDTNet carries.
      hue: regionalHueLoss(a, fake, 2 ** o.downsamplings),
      softSketch: softSketchLoss(a, fake),
      hardSketch: hardSketchLoss(a, fake, { threshold: o.hardSketchThreshold }),
    };
    const total = tf.tidy(() =>
      tf.addN([terms.adversarial.mul(o.lambdaAdversarial), terms.hue.mul(o.lambdaHue), terms.softSketch.mul(o.lambdaSoftSketch), terms.hardSketch.mul(o.lambdaHardSketch)]),
    ) as tf.Scalar;
    return { total, terms };
  },
  /**
   * WGAN-GP critic loss E[D(G(x))] − E[D(y)] + λ·E[(‖∇D(x̂)‖₂ − 1)²] at random interpolates
   * x̂ (§3.4: "the gradient of random samples"), the penalty applied lazily (§4.2).
   */
  discriminatorObjective(nets, { a, b }: Batch, o, context): Objective {
    const D = network(nets, 'discriminators', 'D');
    const generated = run(network(nets, 'generators', 'G'), a);
    const fake = context?.imagePools.query('fake', generated) ?? generated;
    const terms: Record<string, tf.Scalar> = {
      real: ganLoss('wgangp', run(D, b), true),
      fake: ganLoss('wgangp', run(D, fake), false),
    };
    const penalty = lazyRegularization(nextCriticStep(D), o.gradientPenaltyEvery, () => gradientPenalty((x) => run(D, x), b, fake, { lambda: o.gradientPenaltyWeight, kind: 'mixed' }));
    if (penalty) terms.gradientPenalty = penalty;
    return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
  },
});
