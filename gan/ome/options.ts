import { z } from 'zod';

const powerOfTwo = (minimum: number) =>
  z
    .number()
    .int()
    .refine((n) => n >= minimum && Number.isInteger(Math.log2(n)), `must be a power of two ≥ ${minimum}`);

/**
 * Options of OME (Guo et al. 2023, "Image-to-image translation using an offset-based
 * multi-scale codes GAN encoder", The Visual Computer) and of the unconditional generator
 * it runs over. Parsing `{}` gives the paper's StyleGAN2 configuration at the paper's
 * 256×256 input size (§3.5): N = 5 steps, FPN over a ResNet-50 backbone, one 512-d code per
 * style input of the generator, L2 weight 1 and LPIPS weight 0.8.
 *
 * The paper synthesises 1024² faces from 256² inputs; a served model here maps an S×S image
 * to an S×S image, so the generator's resolution is `imageSize`.
 */
export const omeOptionsSchema = z.object({
  imageSize: powerOfTwo(16).default(256),
  /**
   * The pretrained unconditional generator (§2.1): `style` injects the codes as per-layer
   * styles (StyleGAN2, §3.2); `top-injected` takes one latent at its top (ProGAN), so the M
   * codes run through its first part and are fused by the dynamic fusion module (§3.3).
   */
  generator: z.enum(['style', 'top-injected']).default('style'),
  /** N, the offset-based iterations (§3.1, Algorithm 1); the paper uses 5 in all tasks. */
  steps: z.number().int().min(1).max(10).default(5),
  /**
   * The offset-based synthesis method OB (§3.1). false is the paper's ablation baseline: one
   * encoder pass on the condition image alone that predicts the codes directly.
   */
  offsets: z.boolean().default(true),
  /**
   * How the encoder produces codes (§3.2, ablations MC and MS of §4.2): `single`: one code
   * (shared by every style input, or one latent for a top-injected generator); `multiple`:
   * M codes, all from the coarsest backbone feature map (no FPN); `multi-scale`: M codes from
   * the three FPN levels, coarse / middle / fine as pSp splits them.
   */
  codes: z.enum(['single', 'multiple', 'multi-scale']).default('multi-scale'),
  /** Dynamic fusion DF (§3.3) of a top-injected generator's M feature maps; false: static average. */
  dynamicFusion: z.boolean().default(true),
  /** M for a top-injected generator: 20, following mGANprior (§3.3). */
  topInjectedCodes: z.number().int().min(1).default(20),
  /** SE channel compression ratio r of the fusion module (eq. 7). */
  fusionReduction: z.number().int().min(1).default(8),
  /** Dimension of each latent code (512 for StyleGAN2 and ProGAN). */
  codeSize: z.number().int().min(1).default(512),
  /** Encoder backbone (He et al. 2016): ResNet-50 for faces, ResNet-34 for scenes (§3.5). */
  backbone: z.enum(['resnet18', 'resnet34', 'resnet50']).default('resnet50'),
  /** Channels of the backbone's first stage (64 in ResNets); later stages double it. */
  encoderWidth: z.number().int().min(1).default(64),
  /** Fully connected layers of StyleGAN's mapping network (8). */
  mappingLayers: z.number().int().min(1).default(8),
  /**
   * Generator channels at resolution r are min(base / r, max). Unset: the paper's pretrained
   * GANs, StyleGAN2 config-f as pSp's rosinality port builds it (32768: 512 up to 64², then
   * halving) or ProGAN (16384: its fmap_base 8192 at stage log2(r) − 1, 512 up to 32²).
   */
  generatorChannelBase: z.number().int().min(1).optional(),
  generatorChannelMax: z.number().int().min(1).default(512),
  /** Channels of the discriminator follow the same rule (StyleGAN2: 32768, max 512). */
  discriminatorChannelBase: z.number().int().min(1).default(32768),
  discriminatorChannelMax: z.number().int().min(1).default(512),
  /** λ₁ of the L2 pixel loss (eq. 12, §3.5). */
  pixelWeight: z.number().min(0).default(1),
  /** λ₂ of the LPIPS loss (eq. 13, §3.5). */
  lpipsWeight: z.number().min(0).default(0.8),
  /**
   * Weight of a non-saturating adversarial term on OME's outputs against the generator's
   * discriminator. The paper trains OME without one (0); the identity loss λ₃ of faces is
   * not offered (it needs a pretrained ArcFace).
   */
  adversarialWeight: z.number().min(0).default(0),
  /** R1 weight γ of the discriminator (StyleGAN2's default 10). */
  r1Gamma: z.number().min(0).default(10),
  /** Decay of StyleGAN2's running average of the mapped codes w̄ during pretraining (0.995). */
  averageCodeDecay: z.number().min(0).max(1).default(0.995),
});

export type OmeOptions = z.infer<typeof omeOptionsSchema>;

/** Channels of a generator or discriminator layer at `resolution`: min(base / r, max), at least 1. */
export function channelsAt(resolution: number, base: number, max: number): number {
  return Math.max(1, Math.min(Math.floor(base / resolution), max));
}

/** The paper's channel base of each generator kind when the options leave it unset. */
export function generatorChannelBase(options: OmeOptions): number {
  return options.generatorChannelBase ?? (options.generator === 'style' ? 32768 : 16384);
}

/** StyleGAN2's number of style inputs at a resolution: two per block plus the 4×4 conv and ToRGB. */
export function styleLayerCount(imageSize: number): number {
  return 2 * Math.log2(imageSize) - 2;
}

/** How many codes the encoder predicts: M, or 1 with `codes: 'single'`. */
export function codeCount(options: OmeOptions): number {
  if (options.codes === 'single') return 1;
  return options.generator === 'style' ? styleLayerCount(options.imageSize) : options.topInjectedCodes;
}

/**
 * The reduced configuration of tests: 16×16 images, narrow networks, one offset step (each
 * step re-runs the encoder and the generator, and tfjs spends much of its time per op).
 */
export const omeTestOptions: Partial<OmeOptions> = {
  imageSize: 16,
  steps: 1,
  codeSize: 8,
  backbone: 'resnet18',
  encoderWidth: 4,
  mappingLayers: 2,
  generatorChannelBase: 128,
  generatorChannelMax: 8,
  discriminatorChannelBase: 128,
  discriminatorChannelMax: 8,
  topInjectedCodes: 4,
};
