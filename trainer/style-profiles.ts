import type { ModelMeta } from '../shared/models/model-meta.js';
import type { TrainOptionsInput } from './training/train-options.js';

/** How a style is trained by default: data, architecture, options and what decides promotion. */
export interface StyleProfile {
  dataset: string;
  architecture: string;
  options: TrainOptionsInput;
  primaryMetric: NonNullable<ModelMeta['primaryMetric']>;
}

/**
 * The shipped styles' budget: 64 px crops taken at the served scale (no resize, so lines
 * keep the width they have at 256 px), batch 4, a fixed number of steps; U-Net++ of depth 4
 * with reduced widths. The generator is convolutional and served at 256 px.
 */
const shippedOptions: TrainOptionsInput = {
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
 * sketch and toon are paired styles built by `npm run data:build`; anime needs a dataset an
 * admin provides (README: unaligned selfie2anime-style, trained with cyclegan-unet-sa).
 */
export const styleProfiles: Record<string, StyleProfile> = {
  sketch: {
    dataset: 'sketch',
    architecture: 'pix2pix-unetpp',
    options: shippedOptions,
    primaryMetric: { name: 'ssim', higherIsBetter: true },
  },
  toon: {
    dataset: 'toon',
    architecture: 'pix2pix-unetpp',
    options: shippedOptions,
    primaryMetric: { name: 'ssim', higherIsBetter: true },
  },
  anime: {
    dataset: 'selfie2anime',
    architecture: 'cyclegan-unet-sa',
    options: { crop_size: 256, load_size: 286, n_epochs: 100, n_epochs_decay: 100, gan_mode: 'lsgan' },
    primaryMetric: { name: 'fid', higherIsBetter: false },
  },
};

export function styleProfile(style: string): StyleProfile | undefined {
  return styleProfiles[style];
}
