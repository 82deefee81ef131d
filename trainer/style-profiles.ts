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
 * sketch and toon are paired styles built by `npm run data:build`; anime needs a dataset an
 * admin provides (README: unaligned selfie2anime-style, trained with cyclegan-unet-sa).
 * Widths are reduced from the papers' so that CPU training is practical and the weights
 * stay small; served at 256 px, trained on 128 px crops (the generators are convolutional).
 */
export const styleProfiles: Record<string, StyleProfile> = {
  sketch: {
    dataset: 'sketch',
    architecture: 'pix2pix-unetpp',
    options: { crop_size: 128, load_size: 143, serve_size: 256, n_epochs: 3, n_epochs_decay: 3, batch_size: 4, arch: { ngf: 16, ndf: 32, depth: 5 } },
    primaryMetric: { name: 'ssim', higherIsBetter: true },
  },
  toon: {
    dataset: 'toon',
    architecture: 'pix2pix-unetpp',
    options: { crop_size: 128, load_size: 143, serve_size: 256, n_epochs: 3, n_epochs_decay: 3, batch_size: 4, arch: { ngf: 16, ndf: 32, depth: 5 } },
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
