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
    files: ['camera.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png', 'rocket.jpg'],
    what: 'scikit-image sample photos: cameraman, Chelsea the cat, coffee, motorcycle, rocket',
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
  {
    name: 'lomiri-wallpapers',
    dir: '/usr/share/backgrounds',
    files: [
      'Bridge_by_Sander_Klootwijk.jpg',
      'Dragonfly_by_Bolly.jpg',
      'Kleiber_by_Lukas_Baubkus.jpg',
      'Picture_0B_by_freespace.jpg',
      'Picture_1A_by_freespace.jpg',
      'aitzgorri_by_Aitzol_Berasategi.jpg',
      'free_by_Peter_Nerlich.jpg',
      'greentock_by_Peter_Nerlich.jpg',
      'life_by_Aitzol_Berasategi.jpg',
      'seeding_by_Clements_Engelhardt.jpg',
      'sunset_by_Aitzol_Berasategi.jpg',
    ],
    what: 'Ubuntu Touch wallpapers: a bird, insects, mountains, a stream, a bridge, a clock, brushes, fruit',
  },
  {
    name: 'plasma-workspace-wallpapers',
    dir: '/usr/share/wallpapers',
    // Each wallpaper comes in many sizes: only the largest, so one photo counts once.
    files: ['BytheWater', 'ColdRipple', 'ColorfulCups', 'DarkestHour', 'EveningGlow', 'FallenLeaf', 'Kite', 'OneStandsOut', 'Path'].map((w) => `${w}/contents/images/2560x1600.jpg`),
    what: 'KDE Plasma wallpapers: lakes at dusk, boats, a jetty, a forest path, leaves, moss, cups, a kite',
  },
  {
    name: 'renpy-demo',
    dir: '/usr/share/games/renpy/demo/game/images',
    // The demo's only photographs (its other backgrounds are drawn).
    files: ['bg cave.jpg', 'bg whitehouse.jpg'],
    what: "photographs in Ren'Py's demo game: a cave, the White House",
  },
];

/** A held-out photo of the style grid: never in any training split. */
export interface GridPhoto {
  package: string;
  file: string;
  what: string;
}

/**
 * The photos of the style grid in docs/styles/README.md: one per kind of picture people
 * send, at least 768 px on the longest side where Debian has one. findPhotos leaves them
 * out of every dataset data:build makes, whatever directory they are found in.
 */
export const gridPhotos: readonly GridPhoto[] = [
  // No Debian package ships a photo of people of 768 px or more; this 512 px portrait is the nearest.
  { package: 'python3-skimage', file: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png', what: 'people: astronaut Eileen Collins, portrait (512×512)' },
  // No street photo either: the nearest is a city view.
  { package: 'renpy-demo', file: '/usr/share/games/renpy/demo/game/images/bg washington.jpg', what: 'street: Washington, the Monument across the water (1280×720)' },
  { package: 'lomiri-wallpapers', file: '/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg', what: 'landscape: mountains of the Picos de Europa (3264×2448)' },
  { package: 'lomiri-wallpapers', file: '/usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg', what: 'animal: two dogs at a wooden door (2056×3088)' },
  { package: 'lomiri-wallpapers', file: '/usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg', what: 'indoor: a room with a drum, a chair and wine (2560×3837)' },
  { package: 'plasma-workspace-wallpapers', file: '/usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg', what: 'night: a lake at 1 am in summer (2560×1600)' },
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

/**
 * The photos of the installed packages (unless `packages` is false) and of extra
 * directories, in a fixed order, without the grid photos.
 */
export async function findPhotos(extraDirs: readonly string[], packages = true): Promise<FoundPhotos> {
  const sources: PhotoSource[] = [];
  const missing: PhotoPackage[] = [];
  for (const pkg of packages ? photoPackages : []) {
    const files = withoutGridPhotos(pkg.files ? await existing(pkg.files.map((f) => path.join(pkg.dir, f))) : await imagesIn(pkg.dir));
    if (files.length > 0) sources.push({ name: pkg.name, files });
    else missing.push(pkg);
  }
  for (const dir of extraDirs) {
    const files = withoutGridPhotos(await imagesIn(dir));
    if (files.length === 0) throw new Error(`--photos ${dir}: no images found there`);
    sources.push({ name: dir, files });
  }
  return { sources, missing };
}

function withoutGridPhotos(files: readonly string[]): string[] {
  const held = new Set(gridPhotos.map((p) => path.resolve(p.file)));
  return files.filter((f) => !held.has(path.resolve(f)));
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
