import { z } from 'zod';
import { cyclegan, cycleganOptions, type CycleganOptions } from '../cyclegan/cyclegan.js';
import { buildAttentionUnetGenerator } from './attention-unet-generator.js';
import { buildPatchGan } from '../blocks/patchgan.js';
import { registerArchitecture } from '../registry.js';

/*
 * Sharma & Das, "A CycleGAN Framework for Anime Style Image Synthesis based on U-Net and
 * Self-Attention" (../shared/papers/cyclegan-unet-self-attention.txt), §3.5: CycleGAN with
 * U-Net generators (8 down, 8 up blocks of conv → instance norm → LeakyReLU) carrying
 * SAGAN self-attention layers, PatchGAN discriminators built from the same blocks, and
 * CycleGAN's adversarial, cycle-consistency and identity losses (Eqs. 1–4).
 *
 * Domains: a = photos, b = anime. As in the CycleGAN reference, G_A: A → B (served) and
 * G_B: B → A; D_A judges domain B (real b against G_A(a)) and D_B domain A. The losses are
 * cyclegan.ts's (the reference's, halved D losses included); the paper's training details
 * (Adam 2e-4, β 0.5/0.999, N(0, 0.02) init, §4.2) are those of the reference too.
 */

export const cycleganUnetSaOptions = z
  .object({
    imageSize: z.number().int().min(8).default(256),
    /** Encoder blocks, and as many decoder blocks (§3.5.1: 8 and 8). */
    blocks: z.number().int().min(2).default(8),
    /** Generator and discriminator base widths (unstated; pix2pix/CycleGAN's 64). */
    ngf: z.number().int().min(1).default(64),
    ndf: z.number().int().min(1).default(64),
    /** PatchGAN stride-2 layers (3: the 70×70 PatchGAN the paper's reference [11] uses). */
    nLayersD: z.number().int().min(1).default(3),
    /**
     * Self-attention placement (Table 3's four U-Net variants). §3.5 and §5 settle on both
     * paths for the proposed model, although Table 3 scores the plain U-Net ('none') best.
     */
    attention: z.enum(['none', 'down', 'up', 'both']).default('both'),
    /** Feature-map side where the attention layers sit (see attention-unet-generator.ts). */
    attentionSize: z.number().int().min(1).default(32),
    /** Eq. (3) is the log-likelihood GAN loss ('vanilla'); 'lsgan' is the CycleGAN reference's. */
    ganMode: z.enum(['vanilla', 'lsgan']).default('vanilla'),
    /** λ of Eq. (1); the paper gives no value, CycleGAN's is 10. */
    lambdaCycle: z.number().min(0).default(10),
    /**
     * Identity weight relative to λ, as the CycleGAN reference's `lambda_identity`
     * (weight λ·lambdaIdentity). Eq. (1) adds L_identity with weight 1: 10 · 0.1.
     */
    lambdaIdentity: z.number().min(0).default(0.1),
  })
  .refine((o) => o.imageSize % 2 ** o.blocks === 0, {
    error: 'imageSize must be a multiple of 2^blocks (256 for 8 blocks)',
    path: ['imageSize'],
  })
  .refine((o) => o.attention === 'none' || attentionSizes(o).includes(o.attentionSize), {
    error: 'attentionSize must be the side of a feature map both paths have: imageSize / 2^k for 1 ≤ k < blocks',
    path: ['attentionSize'],
  });
export type CycleganUnetSaOptions = z.infer<typeof cycleganUnetSaOptions>;

/**
 * The CycleGAN reference's loss settings for these options: one λ for both cycles (Eq. 1);
 * the other fields keep cyclegan's defaults and only describe its networks, not its losses.
 */
function cycleganLossOptions(o: CycleganUnetSaOptions): CycleganOptions {
  return cycleganOptions.parse({ ganMode: o.ganMode, lambdaA: o.lambdaCycle, lambdaB: o.lambdaCycle, lambdaIdentity: o.lambdaIdentity });
}

function attentionSizes(o: { imageSize: number; blocks: number }): number[] {
  return Array.from({ length: o.blocks - 1 }, (_, k) => o.imageSize / 2 ** (k + 1));
}

export const cycleganUnetSa = registerArchitecture<CycleganUnetSaOptions>({
  name: 'cyclegan-unet-sa',
  paper: 'Sharma & Das, A CycleGAN Framework for Anime Style Image Synthesis based on U-Net and Self-Attention (shared/papers/cyclegan-unet-self-attention.txt)',
  data: 'unpaired',
  options: cycleganUnetSaOptions,
  testOptions: { imageSize: 16, blocks: 4, ngf: 2, ndf: 2, nLayersD: 2, attentionSize: 4 },
  served: 'G_A',
  // The reference's 50 past fakes per discriminator: the paper trains as the reference does.
  imagePoolSize: cyclegan.imagePoolSize,
  inputSize: (o) => o.imageSize,
  build(o) {
    const generator = (name: string) => buildAttentionUnetGenerator({ name, imageSize: o.imageSize, blocks: o.blocks, ngf: o.ngf, attention: o.attention, attentionSize: o.attentionSize });
    // §3.5.2: PatchGAN "maintaining the same composition as the generator's Encoding layers"
    // (conv → instance norm → LeakyReLU); without attention — §4.4.1 speaks of "the
    // discriminator's reliance on basic down-sampling blocks", and Table 3 varies G only.
    const discriminator = (name: string) => buildPatchGan({ name, imageSize: o.imageSize, inputChannels: 3, ndf: o.ndf, nLayers: o.nLayersD, norm: 'instance' });
    return {
      generators: { G_A: generator('G_A'), G_B: generator('G_B') },
      discriminators: { D_A: discriminator('D_A'), D_B: discriminator('D_B') },
    };
  },
  // CycleGAN's objectives (the networks have the reference's names) with this paper's weights.
  generatorObjective: (nets, batch, o) => cyclegan.generatorObjective(nets, batch, cycleganLossOptions(o)),
  discriminatorObjective: (nets, batch, o, context) => cyclegan.discriminatorObjective(nets, batch, cycleganLossOptions(o), context),
});
