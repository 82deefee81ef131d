/**
 * The unaligned dataset `anime` that `npm run data:build` makes next to sketch and toon:
 * trainA/testA real photos, trainB/testB anime art from the Ren'Py games Debian ships
 * (renpy-thequestion, renpy-demo; license Expat, see /usr/share/doc/renpy-*\/copyright),
 * and trainB_smooth/testB_smooth the edge-smoothed copy of each B image under its name
 * (targets/edge-smooth.ts), for AnimeGAN's edge-promoting loss.
 *
 * Every file is a square of `size` px (384 by default, so training crops 256 from it),
 * cut at several scales; scenery and photos are only shrunk, sprites' faces enlarged at
 * most 1.6×. The test split holds out whole
 * sources (photos, backgrounds, a character's sprites), so evaluation sees only images
 * that were never trained on. File names carry their sources (bLabel, photoLabel).
 */
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import sharp, { type OutputInfo, type Sharp } from 'sharp';
import { styleCatalogue } from '../../shared/styles.js';
import { buildManifest, type Manifest } from './manifest.js';
import { mapConcurrent } from './map-concurrent.js';
import { loadPhoto } from './photo-crops.js';
import { renderScene, sceneKinds, type SceneKind } from './scenes/render-scene.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import { edgeSmooth } from './targets/edge-smooth.js';
import type { RgbImage } from './targets/raster.js';

export const defaultRenpyRoot = '/usr/share/games/renpy';
export const renpyInstallHint = 'apt-get install -y renpy-thequestion renpy-demo';

/**
 * The anime art of the two games, each entry one source for the held-out split; paths are
 * relative to the Ren'Py root. Looked at one by one: the rest of their images folders is
 * GUI (bars, buttons, check marks, imagemaps, ninepatch frames, popups, launcher
 * screenshots, logos), transition masks (imagedissolve …), effects (magic, spotlight), the
 * pong game's field, and three photographs (bg cave, washington, whitehouse: those go to
 * the photos, see photo-sources.ts).
 */
interface AnimeSource {
  name: string;
  /** background: drawn scenery, cropped and used behind sprites; illustration: cropped only; sprites: one character's transparent PNGs. */
  kind: 'background' | 'illustration' | 'sprites';
  files: readonly string[];
}

const question = 'the_question/game/images';
const demo = 'demo/game/images';
export const animeSources: readonly AnimeSource[] = [
  ...['club', 'lecturehall', 'meadow', 'uni'].map((bg) => ({ name: `bg ${bg}`, kind: 'background' as const, files: [`${question}/bg ${bg}.jpg`] })),
  { name: 'bg panorama', kind: 'background', files: [`${demo}/bg panorama.webp`] },
  // One drawn concert scene in three variants: one source.
  { name: 'concert', kind: 'illustration', files: [1, 2, 3].map((n) => `${demo}/concert${n}.png`) },
  ...['blue', 'green'].map((outfit) => ({
    name: `sylvie ${outfit}`,
    kind: 'sprites' as const,
    files: ['giggle', 'normal', 'smile', 'surprised'].map((mood) => `${question}/sylvie ${outfit} ${mood}.png`),
  })),
  { name: 'eileen', kind: 'sprites', files: ['concerned', 'happy', 'vhappy'].map((mood) => `${demo}/eileen ${mood}.png`) },
  { name: 'lucy', kind: 'sprites', files: ['happy', 'mad'].map((mood) => `${demo}/lucy ${mood}.png`) },
];

export interface AnimeBuildOptions {
  /** Where DIR/anime goes. */
  out: string;
  staging: string;
  renpyRoot: string;
  /** Examples per domain, train + test. */
  count: number;
  size: number;
  seed: number;
  testFraction: number;
  /** Real photos in a fixed order; with fewer than 3, domain A falls back to procedural scenes. */
  photos: readonly string[];
}

export interface AnimeSummary {
  dir: string;
  manifest: Manifest;
  /** The sources held out whole for the test split, per domain. */
  heldOut: { photos: string[]; anime: string[] };
  aFromScenes: boolean;
}

type Split = 'train' | 'test';
type BExample =
  | { kind: 'crop'; source: AnimeSource }
  | { kind: 'composite'; sprites: AnimeSource; background: AnimeSource }
  | { kind: 'portrait'; sprites: AnimeSource; background: AnimeSource };

/** Source images are decoded once and kept; photos are shrunk to this longer side. */
const photoMaxSide = 2048;
/** How far a crop may be enlarged to fill `size` (sprites are only 320–456 px wide). */
const maxUpscale = 1.6;

/** Builds DIR/anime, or prints how to get the art and returns undefined when it is not installed. */
export async function buildAnimeData(options: AnimeBuildOptions): Promise<AnimeSummary | undefined> {
  const available = await availableSources(options.renpyRoot);
  const backgrounds = available.filter((s) => s.kind === 'background');
  if (backgrounds.length < 2) {
    console.log(`anime: skipped, the Ren'Py games' art is not installed (${options.renpyRoot}); install it with: sudo ${renpyInstallHint}`);
    return undefined;
  }
  const rng = new SeededRandom(deriveSeed(options.seed, 'anime-plan'));
  const split = <T>(items: readonly T[]): Record<Split, T[]> => {
    if (items.length < 2) return { train: [...items], test: [] };
    const order = rng.shuffled(items);
    const held = Math.max(1, Math.round(items.length * options.testFraction));
    return { test: order.slice(0, held), train: order.slice(held) };
  };
  const animeSplit = {
    backgrounds: split(backgrounds),
    illustrations: split(available.filter((s) => s.kind === 'illustration')),
    sprites: split(available.filter((s) => s.kind === 'sprites')),
  };
  const aFromScenes = options.photos.length < 3;
  const photoSplit = split(options.photos);

  const dir = path.join(options.staging, styleCatalogue.anime.dataset);
  for (const folder of ['trainA', 'testA', 'trainB', 'testB', 'trainB_smooth', 'testB_smooth']) await mkdir(path.join(dir, folder), { recursive: true });
  const testCount = Math.max(1, Math.round(options.count * options.testFraction));
  const digits = String(options.count - 1).length;
  const jobs = Array.from({ length: options.count }, (_, index) => {
    const which: Split = index < testCount ? 'test' : 'train';
    return { index, split: which, name: String(index).padStart(digits, '0'), seed: deriveSeed(options.seed, 'anime', index) };
  });

  const cache = new Map<string, Promise<RgbaImage>>();
  const cached = (file: string, decode: (file: string) => Promise<RgbaImage>): Promise<RgbaImage> => {
    let loaded = cache.get(file);
    if (!loaded) {
      loaded = decode(file);
      cache.set(file, loaded);
    }
    return loaded;
  };
  const loadArt = (file: string) => cached(path.join(options.renpyRoot, file), loadRgba);
  const loadShrunkPhoto = (file: string) => cached(file, async (f) => ({ ...(await loadPhoto(f, photoMaxSide)), channels: 3 as const }));

  const bar = new cliProgress.SingleBar(
    // Also printed every 10 s when the output is a log file: this part takes minutes.
    { format: 'anime    {bar} {percentage}% | {value}/{total} photo + anime pairs | {duration_formatted} elapsed, eta {eta_formatted}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(jobs.length, 0);
  try {
    await mapConcurrent(jobs, 3, async (job) => {
      const rng = new SeededRandom(job.seed);
      let photoName: string;
      let photo: RgbImage;
      if (aFromScenes) {
        const scene = sceneKinds[job.index % sceneKinds.length] as SceneKind;
        photoName = `scene-${scene}`;
        photo = await renderScene(scene, job.seed, options.size);
      } else {
        const file = rng.pick(photoSplit[job.split]);
        photoName = slug(photoLabel(file));
        photo = await cropSquare(await loadShrunkPhoto(file), options.size, rng);
      }
      await writeFile(
        path.join(dir, `${job.split}A`, `${job.name}_${photoName}.jpg`),
        await raw(photo).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer(),
      );

      const example = planB(animeSplit, job.split, rng);
      const art = await renderB(example, options.size, rng, loadArt);
      const name = `${job.name}_${bLabel(example)}.png`;
      await writeFile(path.join(dir, `${job.split}B`, name), await raw(art).png().toBuffer());
      await writeFile(path.join(dir, `${job.split}B_smooth`, name), await raw(edgeSmooth(art)).png().toBuffer());
      bar.increment();
    });
  } finally {
    bar.stop();
  }
  const manifest = await buildManifest(dir, { format: 'unaligned' });
  const target = path.join(options.out, styleCatalogue.anime.dataset);
  await rm(target, { recursive: true, force: true });
  await rename(dir, target);
  const names = (sources: readonly AnimeSource[]) => sources.map((s) => s.name);
  return {
    dir: target,
    manifest,
    heldOut: {
      photos: aFromScenes ? [] : photoSplit.test.map(photoLabel),
      anime: [...names(animeSplit.backgrounds.test), ...names(animeSplit.illustrations.test), ...names(animeSplit.sprites.test)],
    },
    aFromScenes,
  };
}

/** What one B image shows: 45% scenery crops, 30% a character on a background, 25% a character's upper body or face. */
function planB(sources: Record<'backgrounds' | 'illustrations' | 'sprites', Record<Split, AnimeSource[]>>, split: Split, rng: SeededRandom): BExample {
  const scenery = [...sources.backgrounds[split], ...sources.illustrations[split]];
  const backgrounds = sources.backgrounds[split];
  const sprites = sources.sprites[split];
  const roll = rng.next();
  if (sprites.length === 0 || roll < 0.45) return { kind: 'crop', source: rng.pick(scenery) };
  return { kind: roll < 0.75 ? 'composite' : 'portrait', sprites: rng.pick(sprites), background: rng.pick(backgrounds) };
}

async function renderB(example: BExample, size: number, rng: SeededRandom, load: (file: string) => Promise<RgbaImage>): Promise<RgbImage> {
  if (example.kind === 'crop') return cropSquare(await load(rng.pick(example.source.files)), size, rng);
  const background = await cropSquare(await load(rng.pick(example.background.files)), size, rng);
  const sprite = await load(rng.pick(example.sprites.files));
  const flip = rng.bool();
  if (example.kind === 'composite') {
    // A standing figure, cut by the bottom edge as in the games, somewhere left to right.
    const height = Math.round(size * rng.range(0.75, 1.25));
    const width = Math.max(1, Math.round((sprite.width * height) / sprite.height));
    const figure = await resizeRgba(sprite, { left: 0, top: 0, width: sprite.width, height: sprite.height }, width, height, flip);
    const left = rng.int(-Math.round(width / 4), Math.max(-Math.round(width / 4), size - Math.round((3 * width) / 4)));
    const top = size - Math.round(height * rng.range(0.85, 1));
    return blend(background, figure, left, top);
  }
  // Head and shoulders: a square of most of the sprite's width from near its top.
  const side = Math.min(sprite.width, sprite.height, Math.max(Math.round(sprite.width * rng.range(0.75, 1)), Math.ceil(size / maxUpscale)));
  const left = Math.min(sprite.width - side, Math.max(0, Math.round((sprite.width - side) / 2 + sprite.width * rng.range(-0.1, 0.1))));
  const top = Math.min(sprite.height - side, Math.round(sprite.height * rng.range(0, 0.08)));
  return blend(background, await resizeRgba(sprite, { left, top, width: side, height: side }, size, size, flip), 0, 0);
}

/** Decoded pixels; sprites keep their alpha channel. */
interface RgbaImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/**
 * A random square, its side log-uniform from `size` (so drawn lines are never enlarged;
 * the whole shorter side when that is smaller) to the shorter side, mirrored half the
 * time, resized to `size`.
 */
async function cropSquare(image: RgbaImage, size: number, rng: SeededRandom): Promise<RgbImage> {
  const shorter = Math.min(image.width, image.height);
  const side = Math.round(Math.exp(rng.range(Math.log(Math.min(size, shorter)), Math.log(shorter))));
  const region = { left: rng.int(0, image.width - side), top: rng.int(0, image.height - side), width: side, height: side };
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .extract(region)
    .resize(size, size, { kernel: 'lanczos3' });
  if (rng.bool()) pipeline = pipeline.flop();
  return rgbOf(await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true }));
}

async function resizeRgba(image: RgbaImage, region: { left: number; top: number; width: number; height: number }, width: number, height: number, flip: boolean): Promise<RgbaImage> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .extract(region)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  if (flip) pipeline = pipeline.flop();
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** `over` alpha-blended onto `base` with its top-left corner at (left, top); parts outside are cut. */
function blend(base: RgbImage, over: RgbaImage, left: number, top: number): RgbImage {
  const out = new Uint8Array(base.data);
  for (let y = Math.max(0, top); y < Math.min(base.height, top + over.height); y++) {
    for (let x = Math.max(0, left); x < Math.min(base.width, left + over.width); x++) {
      const src = ((y - top) * over.width + (x - left)) * 4;
      const alpha = (over.data[src + 3] as number) / 255;
      const dst = (y * base.width + x) * 3;
      for (let c = 0; c < 3; c++) out[dst + c] = Math.round((over.data[src + c] as number) * alpha + (out[dst + c] as number) * (1 - alpha));
    }
  }
  return { width: base.width, height: base.height, data: out };
}

async function loadRgba(file: string): Promise<RgbaImage> {
  const { data, info } = await sharp(file).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 4, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function rgbOf({ data, info }: { data: Buffer; info: OutputInfo }): RgbImage {
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function raw(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** The sources whose files are installed (each keeps the files present). */
async function availableSources(root: string): Promise<AnimeSource[]> {
  const present = async (file: string) =>
    access(path.join(root, file)).then(
      () => true,
      () => false,
    );
  const sources: AnimeSource[] = [];
  for (const source of animeSources) {
    const files: string[] = [];
    for (const file of source.files) if (await present(file)) files.push(file);
    if (files.length > 0) sources.push({ ...source, files });
  }
  return sources;
}

/** What a B file shows, by its sources: `bg-uni`, `lucy_on_bg-club`, `lucy-closeup_on_bg-club`. */
function bLabel(example: BExample): string {
  if (example.kind === 'crop') return slug(example.source.name);
  return `${slug(example.sprites.name)}${example.kind === 'portrait' ? '-closeup' : ''}_on_${slug(example.background.name)}`;
}

/** A photo's name: its file name, or for a wallpaper stored by size (…/Path/contents/images/2560x1600.jpg) the wallpaper's. */
function photoLabel(file: string): string {
  const base = path.basename(file, path.extname(file));
  return /^\d+x\d+$/.test(base) ? path.basename(path.resolve(file, '../../..')) : base;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
