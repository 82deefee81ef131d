import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isImageFile } from './dataset-layout.js';

/**
 * Debian packages that ship real photographs, and which of their files are photos (the
 * rest are textures, microscopy, icons or abstract art). Checked with `apt-cache show`
 * on Debian 12; paths are where the packages install them.
 */
export interface PhotoPackage {
  name: string;
  dir: string;
  /** The photo files in `dir`; every image there when absent. */
  files?: readonly string[];
  what: string;
}

export const photoPackages: readonly PhotoPackage[] = [
  {
    name: 'python3-skimage',
    dir: '/usr/lib/python3/dist-packages/skimage/data',
    files: ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png', 'rocket.jpg'],
    what: 'scikit-image sample photos: astronaut, cameraman, Chelsea the cat, coffee, motorcycle, rocket',
  },
  {
    name: 'python-matplotlib-data',
    dir: '/usr/share/matplotlib/mpl-data/sample_data',
    files: ['grace_hopper.jpg'],
    what: 'a portrait of Grace Hopper',
  },
  {
    name: 'mate-backgrounds',
    dir: '/usr/share/backgrounds/mate/nature',
    what: 'MATE nature wallpapers: flowers, leaves, dunes, sky, water',
  },
];

export interface PhotoSource {
  /** A package name, or the directory given on the command line. */
  name: string;
  files: string[];
}

export interface FoundPhotos {
  sources: PhotoSource[];
  missing: PhotoPackage[];
}

/** The photos of the installed packages and of extra directories, in a fixed order. */
export async function findPhotos(extraDirs: readonly string[]): Promise<FoundPhotos> {
  const sources: PhotoSource[] = [];
  const missing: PhotoPackage[] = [];
  for (const pkg of photoPackages) {
    const files = pkg.files ? await existing(pkg.files.map((f) => path.join(pkg.dir, f))) : await imagesIn(pkg.dir);
    if (files.length > 0) sources.push({ name: pkg.name, files });
    else missing.push(pkg);
  }
  for (const dir of extraDirs) {
    const files = await imagesIn(dir);
    if (files.length === 0) throw new Error(`--photos ${dir}: no images found there`);
    sources.push({ name: dir, files });
  }
  return { sources, missing };
}

export function installHint(packages: readonly PhotoPackage[]): string {
  return `apt-get install -y ${packages.map((p) => p.name).join(' ')}`;
}

async function existing(files: readonly string[]): Promise<string[]> {
  const present = await Promise.all(
    files.map((f) =>
      access(f).then(
        () => true,
        () => false,
      ),
    ),
  );
  return files.filter((_, i) => present[i]);
}

async function imagesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter(isImageFile).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
