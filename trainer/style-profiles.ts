import type { ModelMeta } from '../shared/models/model-meta.js';
import { isKnownStyle, type KnownStyle } from '../shared/styles.js';
import type { TrainOptionsInput } from './training/train-options.js';

/** How a style is trained by default: data, architecture, options and what decides promotion. */
export interface StyleProfile {
  dataset: string;
  architecture: string;
  options: TrainOptionsInput;
  primaryMetric: NonNullable<ModelMeta['primaryMetric']>;
}

/**
 * The paired shipped styles' budget (sketch, toon): 64 px crops taken at the data's scale (no
 * resize, so lines keep their width), batch 4, a fixed number of steps; U-Net++ of depth 4 with
 * reduced widths and the paper's transposed-conv upsampling. This is what trained the shipped
 * versions. `--set arch.upsample=resize` removes the checkerboard, but at 128 px crops, batch 1
 * and 800 steps (tried: docs/styles/README.md) it gave near-blank sketches and toon images
 * close to the photo, so it is not the default yet. The generator is fully convolutional: the
 * worker serves it at the photo's own size.
 */
const pairedShippedOptions: TrainOptionsInput = {
  preprocess: 'crop',
  crop_size: 64,
  serve_size: 256,
  batch_size: 4,
  n_epochs: 100,
  n_epochs_decay: 100,
  max_steps: 2400,
  checkpoint_every: 50,
  arch: { ngf: 12, ndf: 16, depth: 4 },
};

/**
 * anime: AnimeGANv2 (`animegan`) on the unaligned `anime` dataset of `npm run data:build`
 * (photos vs Ren'Py art, with edge-smoothed copies), at a budget that fits this project's
 * 2-core CPU machines: 256 px crops at batch 1 (what the wasm heap holds), a narrower
 * generator (ngf 16, 4 inverted-residual blocks), 80 init steps, then adversarial steps.
 * Departures from v2's defaults, for a run of hundreds rather than tens of thousands of steps
 * and for the random feature network that stands in for VGG19 when FEATURE_WEIGHTS_DIR is
 * unset:
 * - content and style on the substitute's 2nd stage (1/2 resolution; v2: VGG19 conv4_4 at
 *   1/8): its 1/8-resolution stage has only 128 random channels, and a generator trained on
 *   it came out blurred (tried: 100 init steps, then 50 adversarial);
 * - the init phase also fits the photo's colours (`initColorWeight` 20; v2: content only, as
 *   White-box Cartoonization's L1 pretraining): on random features, content alone gave
 *   wrong colours after 50 steps (tried);
 * - learning rates of G and D at 1e-4 (v2: 2e-5 and 4e-5);
 * - G's adversarial, content, style and colour weights of 10, 75, 2,000 and 100 (v2: 300, 1.5,
 *   2.5 and 10): the substitute's feature maps are far smaller than VGG19's caffe-scaled ones
 *   (measured at the first steps: content L1 ≈ 0.3, Gram L1 ≈ 5e-4), which at v2's weights
 *   left the adversarial term 300× the rest; with it still 25× the rest (adversarial weight
 *   300), 45 adversarial steps turned every photo blue and blurred, and at colour weight 40
 *   the colours stayed washed out (tried; YUV's Huber term on U and V pulls weakly on small
 *   chroma errors);
 * - skips 'concat' (White-box Cartoonization's U-Net skips; v2 has none): without them every
 *   output was blurred by the 1/4-resolution bottleneck (tried: 350 steps);
 * - D sees grayscale images (`discriminatorSees`, White-box's texture discriminator; v2 shows
 *   it colour): with a colour D, G tinted every photo pink, the colour of the games' most
 *   frequent hair (tried: 375 steps with skips).
 */
const animeShippedOptions: TrainOptionsInput = {
  preprocess: 'crop',
  crop_size: 256,
  batch_size: 1,
  n_epochs: 1,
  n_epochs_decay: 0,
  max_steps: 675,
  log_every: 5,
  checkpoint_every: 25,
  arch: {
    ngf: 16,
    blocks: 4,
    ndf: 32,
    initSteps: 80,
    initColorWeight: 20,
    contentLayer: 1,
    gLrScale: 0.5,
    dLrScale: 0.5,
    gAdvWeight: 10,
    conWeight: 75,
    styWeight: 2000,
    colorWeight: 100,
    skips: 'concat',
    discriminatorSees: 'grayscale',
  },
};

/** How every style of the registry (shared/styles.ts) is trained, by its key; `dataset` is the registry's. */
export const styleProfiles: Record<KnownStyle, StyleProfile> = {
  sketch: {
    dataset: 'sketch',
    architecture: 'pix2pix-unetpp',
    options: pairedShippedOptions,
    primaryMetric: { name: 'ssim', higherIsBetter: true },
  },
  toon: {
    dataset: 'toon',
    architecture: 'pix2pix-unetpp',
    options: pairedShippedOptions,
    primaryMetric: { name: 'ssim', higherIsBetter: true },
  },
  anime: {
    dataset: 'anime',
    architecture: 'animegan',
    options: animeShippedOptions,
    primaryMetric: { name: 'fid', higherIsBetter: false },
  },
};

export function styleProfile(style: string): StyleProfile | undefined {
  return isKnownStyle(style) ? styleProfiles[style] : undefined;
}
