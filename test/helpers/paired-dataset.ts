import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { buildManifest } from '../../trainer/data/manifest.js';
import { photoPixels } from './images.js';

/**
 * A paired dataset in the trainer's layout (train/ and test/, each with A/ and B/, and its
 * manifest): photo-like images of `size` px, each drawn at its own size before resizing so
 * that no two are alike, and targets that are the inputs with red and blue swapped.
 */
export async function writePairedDataset(dir: string, counts: { train: number; test: number }, size: number): Promise<void> {
  for (const split of ['train', 'test'] as const) {
    for (const side of ['A', 'B']) await mkdir(path.join(dir, split, side), { recursive: true });
    for (let i = 0; i < counts[split]; i++) {
      const [width, height] = [size + i, size + 2 * i];
      const a = sharp(photoPixels(width, height), { raw: { width, height, channels: 3 } }).resize(size, size);
      await a
        .clone()
        .png()
        .toFile(path.join(dir, split, 'A', `${i}.png`));
      await a
        .clone()
        .recomb([
          [0, 0, 1],
          [0, 1, 0],
          [1, 0, 0],
        ])
        .png()
        .toFile(path.join(dir, split, 'B', `${i}.png`));
    }
  }
  await buildManifest(dir);
}
