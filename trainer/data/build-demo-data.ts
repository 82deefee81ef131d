/**
 * `npm run data:build`: builds the demo datasets `sketch` and `toon` (paired format, with
 * a held-out test split and manifests) under data/, and the unaligned `anime` dataset
 * when the Ren'Py games' art is installed (build-anime-data.ts).
 *
 * Inputs are square crops of real photographs from Debian packages when installed (see
 * photo-sources.ts; more with --photos DIR) plus procedurally generated scenes, so it
 * works on a bare machine too. Targets come from classical algorithms: XDoG line drawings
 * for `sketch`, bilateral smoothing + k-means colours + XDoG ink for `toon`. The same
 * --seed and the same installed photos give the same files.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import sharp, { type Sharp } from 'sharp';
import { z } from 'zod';
import { styleCatalogue } from '../../shared/styles.js';
import { buildAnimeData, defaultRenpyRoot, type AnimeSummary } from './build-anime-data.js';
import { pairedTargetStyles } from './dataset-recipes.js';
import { buildManifest, type Manifest } from './manifest.js';
import { mapConcurrent } from './map-concurrent.js';
import { findPhotos, installHint, photoPackages, type FoundPhotos } from './photo-sources.js';
import { loadPhoto, randomCrop } from './photo-crops.js';
import { renderScene, sceneKinds, type SceneKind } from './scenes/render-scene.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';
import type { RgbImage } from './targets/raster.js';
import { edgeSmoothParams } from './targets/edge-smooth.js';
import { defaultSketchParams, sketch } from './targets/sketch.js';
import { defaultToonParams, toon } from './targets/toon.js';

const optionsSchema = z.object({
  count: z.coerce.number().int().min(2).max(100_000).default(300),
  size: z.coerce.number().int().min(32).max(1024).default(256),
  out: z.string().min(1).default('data'),
  seed: z.coerce.number().int().min(0).default(1),
  testFraction: z.coerce.number().min(0).max(0.5).default(0.1),
  /** Share of examples cropped from real photos, when there are any. */
  photoShare: z.coerce.number().min(0).max(1).default(0.5),
  photos: z.array(z.string()).default([]),
  packagePhotos: z.boolean().default(true),
  animeCount: z.coerce.number().int().min(2).max(100_000).default(2000),
  animeSize: z.coerce.number().int().min(32).max(1024).default(384),
  renpyDir: z.string().min(1).default(defaultRenpyRoot),
});
type BuildOptions = z.infer<typeof optionsSchema>;

const usage = `Usage: npm run data:build -- [options]
  --count N          examples in all, train + test (default 300)
  --size PX          image side in pixels (default 256)
  --out DIR          output directory; writes DIR/sketch, DIR/toon and DIR/anime, replacing them (default data)
  --seed N           random seed; the same seed gives the same data (default 1)
  --test-fraction F  share of examples held out in test/ (default 0.1)
  --photo-share F    share of examples cropped from real photos when any are found (default 0.5)
  --photos DIR       also crop the photos in DIR (repeatable)
  --no-package-photos  leave out the photos of Debian packages (only --photos DIR)
  --anime-count N    anime: examples per domain (photos, anime art), train + test (default 2000)
  --anime-size PX    anime: image side in pixels (default 384; training crops 256 from it)
  --renpy-dir DIR    anime: where the Ren'Py games are (default ${defaultRenpyRoot})`;

type Source = { kind: 'photo'; photo: number } | { kind: 'scene'; scene: SceneKind };
interface Example {
  name: string;
  split: 'train' | 'test';
  source: Source;
  seed: number;
}

const styles = pairedTargetStyles;
/** Photos are shrunk to this longer side once; crops of at least 35% of it stay sharp at 256 px. */
const photoMaxSide = 1024;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const found = await findPhotos(options.photos, options.packagePhotos);
  reportPhotos(found);
  const photoFiles = found.sources.flatMap((s) => s.files);
  const examples = planExamples(options, photoFiles.length);

  const staging = path.join(options.out, `.building-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  for (const style of styles) {
    for (const split of ['train', 'test']) for (const side of ['A', 'B']) await mkdir(path.join(staging, styleCatalogue[style].dataset, split, side), { recursive: true });
  }

  const photos = new Map<number, Promise<RgbImage>>();
  const photo = (index: number): Promise<RgbImage> => {
    let loaded = photos.get(index);
    if (!loaded) {
      loaded = loadPhoto(photoFiles[index] as string, photoMaxSide);
      photos.set(index, loaded);
    }
    return loaded;
  };

  const bar = new cliProgress.SingleBar(
    { format: 'building {bar} {percentage}% | {value}/{total} examples | {duration_formatted} elapsed, eta {eta_formatted}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(examples.length, 0);
  try {
    await mapConcurrent(examples, 3, async (example) => {
      const rng = new SeededRandom(example.seed);
      const image =
        example.source.kind === 'photo' ? await randomCrop(await photo(example.source.photo), options.size, rng) : await renderScene(example.source.scene, example.seed, options.size);
      const targets = { sketch: sketch(image), toon: toon(image, defaultToonParams, example.seed).image };
      const input = await encode(image).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer();
      for (const style of styles) {
        const dir = path.join(staging, styleCatalogue[style].dataset, example.split);
        await writeFile(path.join(dir, 'A', `${example.name}.jpg`), input);
        // Line drawings are stored as one-channel PNG (smaller); the loader expands them to RGB.
        const target = style === 'sketch' ? encode(targets[style]).toColourspace('b-w') : encode(targets[style]);
        await writeFile(path.join(dir, 'B', `${example.name}.png`), await target.png().toBuffer());
      }
      bar.increment();
    });
  } finally {
    bar.stop();
  }

  const manifests: Record<string, Manifest> = {};
  for (const style of styles) {
    manifests[style] = await buildManifest(path.join(staging, styleCatalogue[style].dataset), { format: 'paired' });
    await rm(path.join(options.out, styleCatalogue[style].dataset), { recursive: true, force: true });
    await rename(path.join(staging, styleCatalogue[style].dataset), path.join(options.out, styleCatalogue[style].dataset));
  }
  const anime = await buildAnimeData({
    out: options.out,
    staging,
    renpyRoot: options.renpyDir,
    count: options.animeCount,
    size: options.animeSize,
    seed: options.seed,
    testFraction: options.testFraction,
    photos: photoFiles,
  });
  await rm(staging, { recursive: true, force: true });
  await reportSummary(options, examples, found, manifests, anime, (performance.now() - started) / 1000);
}

function parseOptions(argv: string[]): BuildOptions {
  let values: ReturnType<typeof readFlags>;
  try {
    values = readFlags(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse({
    count: values.count,
    size: values.size,
    out: values.out,
    seed: values.seed,
    testFraction: values['test-fraction'],
    photoShare: values['photo-share'],
    photos: values.photos,
    packagePhotos: !values['no-package-photos'],
    animeCount: values['anime-count'],
    animeSize: values['anime-size'],
    renpyDir: values['renpy-dir'],
  });
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join('\n')}\n\n${usage}`);
    process.exit(2);
  }
  return parsed.data;
}

function readFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      count: { type: 'string' },
      size: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'test-fraction': { type: 'string' },
      'photo-share': { type: 'string' },
      photos: { type: 'string', multiple: true },
      'no-package-photos': { type: 'boolean' },
      'anime-count': { type: 'string' },
      'anime-size': { type: 'string' },
      'renpy-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/**
 * Which example comes from where. Whole photos are held out for the test split (so no
 * test crop shares a photo with training), scenes differ anyway by their seeds.
 */
function planExamples(options: BuildOptions, photoCount: number): Example[] {
  const rng = new SeededRandom(deriveSeed(options.seed, 'plan'));
  const heldOutPhotos = photoCount >= 3 ? Math.max(1, Math.round(photoCount * options.testFraction)) : 0;
  const order = rng.shuffled(Array.from({ length: photoCount }, (_, i) => i));
  const testPhotos = order.slice(0, heldOutPhotos);
  const trainPhotos = order.slice(heldOutPhotos);
  const testCount = Math.max(1, Math.round(options.count * options.testFraction));
  const digits = String(options.count - 1).length;
  return Array.from({ length: options.count }, (_, index) => {
    const split = index < testCount ? 'test' : 'train';
    const pool = split === 'test' ? testPhotos : trainPhotos;
    const source: Source =
      pool.length > 0 && rng.next() < options.photoShare ? { kind: 'photo', photo: rng.pick(pool) } : { kind: 'scene', scene: sceneKinds[index % sceneKinds.length] as SceneKind };
    return { name: String(index).padStart(digits, '0'), split, source, seed: deriveSeed(options.seed, 'example', index) };
  });
}

function encode(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

function reportPhotos(found: FoundPhotos): void {
  for (const source of found.sources) console.log(`real photos: ${source.files.length} from ${source.name}`);
  if (found.missing.length > 0) {
    const lead = found.sources.length === 0 ? 'No photo packages are installed, so only procedural scenes are used.' : 'More real photos are in packages not installed here:';
    console.log(lead);
    for (const pkg of found.missing) console.log(`  ${pkg.name}: ${pkg.what}`);
    console.log(`  install them with: sudo ${installHint(found.missing)}   (then rerun npm run data:build)`);
  }
}

async function reportSummary(
  options: BuildOptions,
  examples: Example[],
  found: FoundPhotos,
  manifests: Record<string, Manifest>,
  anime: AnimeSummary | undefined,
  seconds: number,
): Promise<void> {
  const fromPhotos = examples.filter((e) => e.source.kind === 'photo').length;
  const scenes = new Map<string, number>();
  for (const e of examples) if (e.source.kind === 'scene') scenes.set(e.source.scene, (scenes.get(e.source.scene) ?? 0) + 1);
  const photoCount = found.sources.reduce((n, s) => n + s.files.length, 0);
  console.log(`\nBuilt in ${seconds.toFixed(1)} s (seed ${options.seed}): ${examples.length} sketch/toon examples of ${options.size}×${options.size} px${anime ? ', and anime' : ''}.`);
  console.log(`  inputs: ${fromPhotos} crops of ${photoCount} real photos, ${examples.length - fromPhotos} procedural scenes (${[...scenes].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  for (const style of styles) {
    const manifest = manifests[style] as Manifest;
    const dir = path.join(options.out, styleCatalogue[style].dataset);
    console.log(`  ${dir}: paired, train ${manifest.counts.train.a}, test ${manifest.counts.test.a}, ${(await sizeOf(dir) / 1e6).toFixed(1)} MB`);
  }
  if (anime) {
    const { train, test } = anime.manifest.counts;
    console.log(
      `  ${anime.dir}: unaligned, ${options.animeSize}×${options.animeSize} px, trainA ${train.a}, trainB ${train.b}, testA ${test.a}, testB ${test.b} (+ B_smooth), ${((await sizeOf(anime.dir)) / 1e6).toFixed(1)} MB`,
    );
    console.log(`    A: ${anime.aFromScenes ? 'procedural scenes (fewer than 3 real photos)' : `real photos, held out: ${anime.heldOut.photos.join(', ')}`}`);
    console.log(`    B: Ren'Py art, held out: ${anime.heldOut.anime.join(', ')}; B_smooth: Canny ${edgeSmoothParams.lowThreshold}/${edgeSmoothParams.highThreshold}, dilated ${2 * edgeSmoothParams.dilateRadius + 1}×${2 * edgeSmoothParams.dilateRadius + 1}, Gaussian σ=${edgeSmoothParams.blurSigma} at edges`);
  }
  const l = defaultSketchParams.lines;
  const t = defaultToonParams;
  console.log(`  sketch target: bilateral σs=${defaultSketchParams.smoothing.sigmaSpatial} σr=${defaultSketchParams.smoothing.sigmaRange} ×${defaultSketchParams.smoothing.iterations}, XDoG σ=${l.sigma} k=${l.k} p=${l.p} ε=${l.epsilon} φ=${l.phi}`);
  console.log(`  toon target: bilateral σs=${t.smoothing.sigmaSpatial} σr=${t.smoothing.sigmaRange} ×${t.smoothing.iterations} (ink after ${t.edgeIterations}), k-means k=${t.colors.k}, XDoG ink σ=${t.ink.sigma} p=${t.ink.p} ε=${t.ink.epsilon}`);
  if (photoCount === 0) console.log(`  (no real photos: sudo ${installHint(photoPackages)})`);
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

try {
  await main();
} catch (err) {
  console.error(`data:build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
