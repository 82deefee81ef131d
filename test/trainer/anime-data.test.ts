import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { addSample } from '../../trainer/data/curate.js';
import { DatasetError } from '../../trainer/data/dataset-error.js';
import { disposeBatch, openDataset, type LoaderOptions } from '../../trainer/data/loader.js';
import { buildManifest, readManifest } from '../../trainer/data/manifest.js';
import { findPhotos, gridPhotos } from '../../trainer/data/photo-sources.js';
import { cannyEdges, edgeSmooth } from '../../trainer/data/targets/edge-smooth.js';
import type { RgbImage } from '../../trainer/data/targets/raster.js';

const run = promisify(execFile);
let root: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'anime-data-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A smooth colour ramp (1.5 levels per pixel: no Canny edge) with white rectangles
 * (sharp edges). Any shift or mirror of a crop changes nearly every ramp pixel, so equal
 * pixels between two crops mean the same crop.
 */
function rampWithBoxes(width: number, height: number, boxes: readonly [number, number, number, number][]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBox = boxes.some(([l, t, w, h]) => x >= l && x < l + w && y >= t && y < t + h);
      data.set(inBox ? [255, 255, 255] : [(x * 1.5) % 256, (y * 1.5) % 256, 140], (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

function encodePng(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
}

async function put(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

/** A transparent sprite: an opaque figure in the middle of a clear frame. */
async function sprite(width: number, height: number, colour: [number, number, number]): Promise<Buffer> {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x > width / 4 && x < (3 * width) / 4 && y > height / 10;
      data.set(inside ? [...colour, 255] : [0, 0, 0, 0], (y * width + x) * 4);
    }
  }
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

/** The files a fake Ren'Py root needs: three backgrounds and three characters' sprites. */
async function fakeRenpy(dir: string): Promise<void> {
  const question = path.join(dir, 'the_question/game/images');
  const demo = path.join(dir, 'demo/game/images');
  await put(
    path.join(question, 'bg club.jpg'),
    await sharp(await encodePng(rampWithBoxes(160, 100, [[20, 20, 30, 40]])))
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
  await put(
    path.join(question, 'bg lecturehall.jpg'),
    await sharp(await encodePng(rampWithBoxes(160, 100, [[90, 30, 40, 30]])))
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
  await put(
    path.join(question, 'bg meadow.jpg'),
    await sharp(await encodePng(rampWithBoxes(160, 100, [[50, 50, 60, 20]])))
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
  await put(path.join(question, 'sylvie blue normal.png'), await sprite(48, 96, [40, 60, 200]));
  await put(path.join(question, 'sylvie green normal.png'), await sprite(48, 96, [40, 180, 60]));
  await put(path.join(demo, 'eileen happy.png'), await sprite(40, 90, [200, 60, 60]));
}

async function fakePhotos(dir: string): Promise<void> {
  for (let i = 0; i < 5; i++) await put(path.join(dir, `photo${i}.png`), await encodePng(rampWithBoxes(120, 90, [[10 + i * 15, 20, 20, 30]])));
}

const buildArgs = (out: string, renpy: string, photos: string, seed = 3): string[] => [
  '--import',
  'tsx',
  'trainer/data/build-demo-data.ts',
  ...['--count', '4', '--size', '32', '--anime-count', '12', '--anime-size', '64', '--test-fraction', '0.25', '--seed', String(seed)],
  ...['--renpy-dir', renpy, '--no-package-photos', '--photos', photos, '--out', out],
];

async function decode(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** Pixels with no neighbour within `radius` differing by more than `tolerance` in any channel: nowhere near an edge. */
function flatPixels(image: RgbImage, radius: number, tolerance: number): number[] {
  const { width, height, data } = image;
  const flat: number[] = [];
  for (let y = radius; y < height - radius; y++) {
    for (let x = radius; x < width - radius; x++) {
      let ok = true;
      for (let dy = -radius; dy <= radius && ok; dy++) {
        for (let dx = -radius; dx <= radius && ok; dx++) {
          for (let c = 0; c < 3 && ok; c++) ok = Math.abs((data[((y + dy) * width + x + dx) * 3 + c] as number) - (data[(y * width + x) * 3 + c] as number)) <= tolerance;
        }
      }
      if (ok) flat.push(y * width + x);
    }
  }
  return flat;
}

/** The sources a file name names: `07_sylvie-blue-closeup_on_bg-club.png` → sylvie-blue, bg-club. */
function sourcesOf(file: string): string[] {
  const label = path.basename(file, path.extname(file)).replace(/^\d+_/, '');
  return label.split('_on_').map((s) => s.replace(/-closeup$/, ''));
}

describe('edge smoothing (AnimeGAN edge_smooth)', () => {
  it('finds the outline of a box and blurs only there', () => {
    const image = rampWithBoxes(64, 64, [[20, 20, 24, 24]]);
    const edges = cannyEdges(image);
    const smoothed = edgeSmooth(image);
    let changed = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const distance = Math.min(...[x - 20, 43 - x, y - 20, 43 - y].map(Math.abs));
        const i = y * 64 + x;
        const same = [0, 1, 2].every((c) => smoothed.data[i * 3 + c] === image.data[i * 3 + c]);
        // Canny marks the box's border (within a pixel); dilation reaches 2 px and the 5×5 blur no further.
        if (distance >= 4) {
          assert.equal(edges[i], 0, `edge far from the box at (${x}, ${y})`);
          assert.ok(same, `pixel far from the box changed at (${x}, ${y})`);
        }
        if (!same) changed++;
      }
    }
    for (let t = 22; t < 42; t++)
      assert.ok(
        [19, 20, 21].some((x) => edges[t * 64 + x] === 1),
        `no edge on the box's left side at y=${t}`,
      );
    // A border pixel mixes the box (blue 255) with the ramp beside it (blue 140).
    const border = smoothed.data[(30 * 64 + 20) * 3 + 2] as number;
    assert.ok(border > 140 && border < 255, `border pixel ${border}`);
    assert.ok(changed > 4 * 24 * 3, `only ${changed} pixels smoothed`);
    assert.deepEqual(edgeSmooth(rampWithBoxes(32, 32, [])).data, rampWithBoxes(32, 32, []).data, 'an image without edges stays as it is');
  });
});

describe('anime data builder', () => {
  let out: string;
  let renpy: string;
  let photos: string;
  before(async () => {
    out = path.join(root, 'data');
    renpy = path.join(root, 'renpy');
    photos = path.join(root, 'photos');
    await fakeRenpy(renpy);
    await fakePhotos(photos);
    await run(process.execPath, buildArgs(out, renpy, photos), { timeout: 120_000 });
  });

  it('builds an unaligned dataset with edge-smoothed copies of every B image', { timeout: 60_000 }, async () => {
    const anime = path.join(out, 'anime');
    const manifest = await readManifest(anime);
    assert.equal(manifest.format, 'unaligned');
    assert.deepEqual(manifest.counts, { train: { a: 9, b: 9 }, test: { a: 3, b: 3 } });
    let smoothedSomewhere = 0;
    for (const split of ['train', 'test']) {
      const b = (await readdir(path.join(anime, `${split}B`))).sort();
      assert.deepEqual((await readdir(path.join(anime, `${split}B_smooth`))).sort(), b, `${split}B_smooth has exactly the names of ${split}B`);
      for (const name of b) {
        const [image, copy] = await Promise.all([decode(path.join(anime, `${split}B`, name)), decode(path.join(anime, `${split}B_smooth`, name))]);
        assert.deepEqual([copy.width, copy.height], [64, 64]);
        assert.deepEqual([image.width, image.height], [64, 64]);
        for (const i of flatPixels(image, 3, 6)) {
          for (let c = 0; c < 3; c++) assert.equal(copy.data[i * 3 + c], image.data[i * 3 + c], `${split}B_smooth/${name} changed a pixel away from any edge`);
        }
        if (!copy.data.every((v, i) => v === image.data[i])) smoothedSomewhere++;
      }
      for (const name of await readdir(path.join(anime, `${split}A`))) assert.deepEqual((await sharp(path.join(anime, `${split}A`, name)).metadata()).width, 64);
    }
    assert.ok(smoothedSomewhere >= 6, `only ${smoothedSomewhere} of 12 B images have smoothed edges`);
  });

  it('holds out whole photos, backgrounds and characters', async () => {
    const anime = path.join(out, 'anime');
    for (const side of ['A', 'B']) {
      const sources = async (split: string) => new Set((await readdir(path.join(anime, `${split}${side}`))).flatMap(sourcesOf));
      const train = await sources('train');
      const test = await sources('test');
      assert.ok(train.size > 0 && test.size > 0);
      const shared = [...test].filter((s) => train.has(s));
      assert.deepEqual(shared, [], `domain ${side}: test sources also in train`);
    }
    const known = new Set(['bg-club', 'bg-lecturehall', 'bg-meadow', 'sylvie-blue', 'sylvie-green', 'eileen']);
    for (const split of ['train', 'test']) for (const file of await readdir(path.join(anime, `${split}B`))) for (const s of sourcesOf(file)) assert.ok(known.has(s), file);
  });

  it('gives the same files for the same seed', { timeout: 120_000 }, async () => {
    const again = path.join(root, 'again');
    await run(process.execPath, buildArgs(again, renpy, photos), { timeout: 120_000 });
    assert.deepEqual(await readManifest(path.join(again, 'anime')), await readManifest(path.join(out, 'anime')));
  });

  it('loads b and its edge-smoothed copy with the same crop and flip, leaking no tensors', async () => {
    const dir = path.join(out, 'anime');
    const before = tf.memory().numTensors;
    for (const split of ['train', 'test'] as const) {
      const options: LoaderOptions = { split, preprocess: 'crop', cropSize: 48, batchSize: 3, seed: 5 };
      let batches = 0;
      for await (const batch of (await openDataset(dir, options)).batches(0)) {
        batches++;
        const smoothed = batch.bEdgeSmoothed;
        assert.ok(smoothed, 'batches of a dataset with B_smooth carry bEdgeSmoothed');
        assert.deepEqual(smoothed.shape, batch.b.shape);
        const b = batch.b.arraySync();
        const s = smoothed.arraySync();
        b.forEach((image, n) => {
          const values = image.flat(2);
          const other = (s[n] as number[][][]).flat(2);
          const equal = values.filter((v, i) => v === other[i]).length / values.length;
          // Unsmoothed pixels of the same crop are identical (about 80% here); another crop agrees on about 30% (the flat boxes and sprites).
          assert.ok(equal > 0.6, `only ${(equal * 100).toFixed(0)}% of ${split} example ${n}'s pixels agree with its smoothed copy`);
        });
        disposeBatch(batch);
      }
      assert.ok(batches > 0);
    }
    for await (const batch of (await openDataset(dir, { preprocess: 'crop', cropSize: 48, direction: 'BtoA' })).batches(0)) {
      assert.equal(batch.bEdgeSmoothed, undefined, 'BtoA: B is the input, no smoothed copies');
      disposeBatch(batch);
    }
    assert.equal(tf.memory().numTensors, before);
  });

  it('fails when a B image has no smoothed copy, naming it', async () => {
    const dir = path.join(root, 'broken');
    await put(path.join(dir, 'trainA/a.png'), await encodePng(rampWithBoxes(32, 32, [])));
    await put(path.join(dir, 'trainB/one.png'), await encodePng(rampWithBoxes(32, 32, [[4, 4, 8, 8]])));
    await put(path.join(dir, 'trainB/two.png'), await encodePng(rampWithBoxes(32, 32, [[8, 8, 8, 8]])));
    await put(path.join(dir, 'trainB_smooth/one.png'), await encodePng(rampWithBoxes(32, 32, [[4, 4, 8, 8]])));
    await assert.rejects(buildManifest(dir), (err: unknown) => err instanceof DatasetError && err.code === 'mismatched' && err.message.includes(path.join('trainB', 'two.png')));
  });

  it('skips anime with the install hint when the games are not installed, and still builds sketch and toon', { timeout: 120_000 }, async () => {
    const bare = path.join(root, 'bare');
    const { stdout } = await run(process.execPath, buildArgs(bare, path.join(root, 'no-renpy'), photos), { timeout: 120_000 });
    assert.match(stdout, /apt-get install -y renpy-thequestion renpy-demo/);
    await assert.rejects(access(path.join(bare, 'anime')));
    for (const style of ['sketch', 'toon']) assert.equal((await readManifest(path.join(bare, style))).format, 'paired');
  });
});

describe('edge-smoothed copies of a dataset an admin brings', () => {
  async function unaligned(name: string): Promise<string> {
    const dir = path.join(root, name);
    for (const [i, box] of [
      [4, 4, 10, 10],
      [12, 6, 8, 14],
      [2, 14, 16, 6],
    ].entries()) {
      await put(path.join(dir, `trainA/p${i}.png`), await encodePng(rampWithBoxes(40, 40, [])));
      await put(
        path.join(dir, `trainB/frame${i}.jpg`),
        await sharp(await encodePng(rampWithBoxes(40, 40, [box as [number, number, number, number]])))
          .jpeg({ quality: 95 })
          .toBuffer(),
      );
    }
    await put(path.join(dir, 'testA/held.png'), await encodePng(rampWithBoxes(40, 40, [])));
    await put(path.join(dir, 'testB/held.png'), await encodePng(rampWithBoxes(40, 40, [[10, 10, 10, 10]])));
    await buildManifest(dir);
    return dir;
  }

  it('npm run data:smooth writes a copy of every B image under its name and rebuilds the manifest', { timeout: 60_000 }, async () => {
    const dir = await unaligned('brought');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'trainer/data/smooth-dataset.ts', dir], { timeout: 60_000 });
    assert.match(stdout, /4 edge-smoothed copies written/);
    assert.deepEqual((await readdir(path.join(dir, 'trainB_smooth'))).sort(), ['frame0.jpg', 'frame1.jpg', 'frame2.jpg']);
    assert.deepEqual(await readdir(path.join(dir, 'testB_smooth')), ['held.png']);
    assert.ok('trainB_smooth/frame1.jpg' in (await readManifest(dir)).files);
    for await (const batch of (await openDataset(dir, { preprocess: 'none', batchSize: 3 })).batches(0)) {
      assert.deepEqual(batch.bEdgeSmoothed?.shape, [3, 40, 40, 3]);
      disposeBatch(batch);
    }
    const again = await run(process.execPath, ['--import', 'tsx', 'trainer/data/smooth-dataset.ts', dir], { timeout: 60_000 });
    assert.match(again.stdout, /^0 edge-smoothed copies written/m, 'copies already there are kept');
  });

  it('curation adds the smoothed copy of a new B image to a dataset that has them', { timeout: 60_000 }, async () => {
    const dir = await unaligned('curated');
    await run(process.execPath, ['--import', 'tsx', 'trainer/data/smooth-dataset.ts', dir], { timeout: 60_000 });
    const image = await encodePng(rampWithBoxes(64, 64, [[10, 10, 20, 20]]));
    const { files } = await addSample(dir, { domain: 'B', image, name: 'new' });
    assert.deepEqual(files, ['trainB/new.png', 'trainB_smooth/new.png']);
    const copy = await decode(path.join(dir, 'trainB_smooth/new.png'));
    assert.deepEqual(copy.data, edgeSmooth(await decode(path.join(dir, 'trainB/new.png'))).data);
    await openDataset(dir, { preprocess: 'none' });
  });
});

const installed = await installedGridPhotos();
describe('style grid photos', () => {
  it('are never among the photos data:build crops, whichever folder is given', { skip: installed.length === 0 && 'no grid photo installed' }, async () => {
    const dirs = [...new Set(installed.map((p) => path.dirname(p.file)))];
    const found = await findPhotos(dirs);
    const files = new Set(found.sources.flatMap((s) => s.files).map((f) => path.resolve(f)));
    for (const photo of installed) assert.ok(!files.has(path.resolve(photo.file)), `${photo.file} would be trained on`);
  });
});

async function installedGridPhotos(): Promise<typeof gridPhotos> {
  const present = await Promise.all(
    gridPhotos.map((p) =>
      access(p.file).then(
        () => true,
        () => false,
      ),
    ),
  );
  return gridPhotos.filter((_, i) => present[i]);
}
