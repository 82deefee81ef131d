import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { addPair, addSample } from '../../trainer/data/curate.js';
import { DatasetError, type DatasetErrorCode } from '../../trainer/data/dataset-error.js';
import { disposeBatch, openDataset, type LoaderOptions } from '../../trainer/data/loader.js';
import { buildManifest, readManifest } from '../../trainer/data/manifest.js';
import { SeededRandom } from '../../trainer/data/seeded-random.js';
import { luminance, type RgbImage } from '../../trainer/data/targets/raster.js';
import { toon } from '../../trainer/data/targets/toon.js';
import { xdog } from '../../trainer/data/targets/xdog.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'datasets-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirs = 0;
async function freshDir(): Promise<string> {
  dirs += 1;
  const dir = path.join(root, `ds${dirs}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Random RGB noise: every crop and flip of it is different, so misalignment shows. */
function noiseRgb(width: number, height: number, seed: number): RgbImage {
  const rng = new SeededRandom(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(0, 255);
  return { width, height, data };
}

function png(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png()
    .toBuffer();
}

function solid(width: number, height: number, value: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: value, g: value, b: value } } })
    .png()
    .toBuffer();
}

async function put(dir: string, file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), bytes);
}

async function collect(dir: string, options: LoaderOptions, epoch = 0): Promise<{ shapes: number[][]; a: Float32Array[]; b: Float32Array[] }> {
  const dataset = await openDataset(dir, options);
  const out = { shapes: [] as number[][], a: [] as Float32Array[], b: [] as Float32Array[] };
  for await (const batch of dataset.batches(epoch)) {
    out.shapes.push(batch.a.shape);
    out.a.push(batch.a.dataSync() as Float32Array);
    out.b.push(batch.b.dataSync() as Float32Array);
    disposeBatch(batch);
  }
  return out;
}

async function rejectsWith(promise: Promise<unknown>, code: DatasetErrorCode, fileFragment: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.ok(err.message.includes(fileFragment), `"${err.message}" should name ${fileFragment}`);
    return true;
  });
}

describe('dataset formats', () => {
  it('loads an aligned dataset: A from the left half, B from the right, with train/test counts', async () => {
    const dir = await freshDir();
    // Left half black, right half white: any mix-up of halves shows in the values.
    const ab = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#000' } })
      .composite([{ input: await solid(40, 40, 255), left: 40, top: 0 }])
      .png()
      .toBuffer();
    for (const name of ['1', '2', '3']) await put(dir, `train/${name}.png`, ab);
    await put(dir, 'test/9.png', ab);
    const manifest = await buildManifest(dir);
    assert.equal(manifest.format, 'aligned');
    assert.deepEqual(manifest.counts, { train: { a: 3, b: 3 }, test: { a: 1, b: 1 } });
    assert.deepEqual(manifest.heldOut, { kind: 'directory' });
    assert.equal(manifest.files['train/1.png']?.width, 80);
    assert.match(manifest.files['test/9.png']?.sha256 ?? '', /^[0-9a-f]{64}$/);

    const { shapes, a, b } = await collect(dir, { batchSize: 2, loadSize: 36, cropSize: 32 });
    assert.deepEqual(shapes, [
      [2, 32, 32, 3],
      [1, 32, 32, 3],
    ]);
    for (const values of a) assert.ok(values.every((v) => v === -1));
    for (const values of b) assert.ok(values.every((v) => v === 1));
    const test = await collect(dir, { split: 'test', loadSize: 32, cropSize: 32 });
    assert.deepEqual(test.shapes, [[1, 32, 32, 3]]);
  });

  it('keeps paired crops and flips aligned (A = B gives a = b) and holds out a fraction without test/', async () => {
    const dir = await freshDir();
    for (let i = 0; i < 6; i++) {
      const image = await png(noiseRgb(48, 40, i));
      await put(dir, `A/p${i}.png`, image);
      await put(dir, `B/p${i}.png`, image);
    }
    const manifest = await buildManifest(dir);
    assert.equal(manifest.format, 'paired');
    assert.equal(manifest.heldOut.kind, 'fraction');
    assert.equal(manifest.counts.train.a + manifest.counts.test.a, 6);
    assert.ok(manifest.counts.test.a >= 1, 'a dataset without test/ still holds examples out');

    const { a, b, shapes } = await collect(dir, { batchSize: 1, preprocess: 'resize_and_crop', loadSize: 40, cropSize: 24, seed: 3 });
    assert.equal(shapes.length, manifest.counts.train.a);
    for (const [i, shape] of shapes.entries()) {
      assert.deepEqual(shape, [1, 24, 24, 3]);
      assert.deepEqual(a[i], b[i]);
    }
    const again = await buildManifest(dir);
    assert.deepEqual(again.counts, manifest.counts, 'the hold-out is the same on every build');
  });

  it('draws unaligned domains independently and counts epochs by the larger domain', async () => {
    const dir = await freshDir();
    for (let i = 0; i < 3; i++) await put(dir, `trainA/a${i}.png`, await solid(32, 32, 20));
    for (let i = 0; i < 2; i++) await put(dir, `trainB/b${i}.png`, await solid(40, 36, 230));
    await put(dir, 'testA/t.png', await solid(32, 32, 20));
    await put(dir, 'testB/t.png', await solid(32, 32, 230));
    const manifest = await buildManifest(dir);
    assert.equal(manifest.format, 'unaligned');
    assert.deepEqual(manifest.counts, { train: { a: 3, b: 2 }, test: { a: 1, b: 1 } });
    const dataset = await openDataset(dir, { batchSize: 2, loadSize: 34, cropSize: 32 });
    assert.equal(dataset.size, 3);
    assert.equal(dataset.batchesPerEpoch, 2);
    const { shapes, a, b } = await collect(dir, { batchSize: 2, loadSize: 34, cropSize: 32 });
    assert.deepEqual(shapes, [
      [2, 32, 32, 3],
      [1, 32, 32, 3],
    ]);
    assert.ok(a.every((values) => values.every((v) => v < -0.8)));
    assert.ok(b.every((values) => values.every((v) => v > 0.8)));
  });

  it('applies the reference preprocess modes and reads grayscale images as RGB', async () => {
    const dir = await freshDir();
    for (const [name, seed] of [
      ['x', 1],
      ['y', 3],
    ] as const) {
      await put(
        dir,
        `A/${name}.jpg`,
        await sharp(await png(noiseRgb(30, 22, seed)))
          .jpeg()
          .toBuffer(),
      );
      await put(
        dir,
        `B/${name}.png`,
        await sharp(await png(noiseRgb(30, 22, seed + 1)))
          .toColourspace('b-w')
          .png()
          .toBuffer(),
      );
    }
    await buildManifest(dir);
    const none = await collect(dir, { preprocess: 'none', noFlip: true });
    assert.deepEqual(none.shapes[0], [1, 24, 32, 3]);
    const b = none.b[0] as Float32Array;
    for (let i = 0; i < b.length; i += 3) assert.ok(b[i] === b[i + 1] && b[i] === b[i + 2]);
    const scaled = await collect(dir, { preprocess: 'scale_width', loadSize: 40, cropSize: 16 });
    assert.deepEqual(scaled.shapes[0], [1, 29, 40, 3]);
  });
});

describe('loader', () => {
  async function numberedPairs(count: number): Promise<string> {
    const dir = await freshDir();
    await mkdir(path.join(dir, 'train'));
    await mkdir(path.join(dir, 'test'));
    for (let i = 0; i < count; i++) {
      const image = await solid(16, 16, i * 20);
      await put(dir, `train/A/${i}.png`, image);
      await put(dir, `train/B/${i}.png`, image);
    }
    await put(dir, 'test/A/t.png', await solid(16, 16, 0));
    await put(dir, 'test/B/t.png', await solid(16, 16, 0));
    await buildManifest(dir);
    return dir;
  }
  const order = (batches: Float32Array[]): number[] => batches.map((values) => Math.round((((values[0] as number) + 1) * 255) / 2 / 20));

  it('shuffles reproducibly from the seed and differently per epoch and seed', async () => {
    const dir = await numberedPairs(7);
    const options: LoaderOptions = { preprocess: 'none', seed: 7 };
    const first = order((await collect(dir, options)).a);
    assert.deepEqual([...first].sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(order((await collect(dir, options)).a), first);
    assert.notDeepEqual(order((await collect(dir, options, 1)).a), first);
    assert.notDeepEqual(order((await collect(dir, { ...options, seed: 8 })).a), first);
    assert.deepEqual(order((await collect(dir, { ...options, serialBatches: true })).a), [0, 1, 2, 3, 4, 5, 6]);
  });

  it('jitters colours of the input side only', async () => {
    const dir = await numberedPairs(3);
    const plain = await collect(dir, { preprocess: 'none', serialBatches: true });
    const jittered = await collect(dir, { preprocess: 'none', serialBatches: true, colorJitter: { brightness: 0.5 } });
    assert.deepEqual(jittered.b, plain.b);
    assert.notDeepEqual(jittered.a.slice(1), plain.a.slice(1));
  });

  it('leaks no tensors when batches are disposed, even if the consumer stops early', async () => {
    const dir = await numberedPairs(6);
    const before = tf.memory().numTensors;
    const dataset = await openDataset(dir, { batchSize: 2, preprocess: 'none', prefetch: 2 });
    for await (const batch of dataset.batches()) disposeBatch(batch);
    for await (const batch of dataset.batches(1)) {
      disposeBatch(batch);
      break;
    }
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('dataset validation', () => {
  it('fails on an empty dataset, naming the directory', async () => {
    const dir = await freshDir();
    await rejectsWith(buildManifest(dir), 'empty', dir);
    await mkdir(path.join(dir, 'trainA'));
    await mkdir(path.join(dir, 'trainB'));
    await put(dir, 'trainB/b.png', await solid(16, 16, 0));
    await rejectsWith(buildManifest(dir), 'empty', 'trainA');
  });

  it('fails on paired images without a partner, naming the file', async () => {
    const dir = await freshDir();
    await put(dir, 'A/one.png', await solid(16, 16, 0));
    await put(dir, 'B/one.png', await solid(16, 16, 0));
    await put(dir, 'A/two.png', await solid(16, 16, 0));
    await rejectsWith(buildManifest(dir), 'mismatched', path.join('A', 'two.png'));
  });

  it('fails on an undecodable image, naming the file', async () => {
    const dir = await freshDir();
    const good = await png(noiseRgb(32, 32, 5));
    await put(dir, 'A/ok.png', good);
    await put(dir, 'B/ok.png', good);
    await put(dir, 'A/cut.png', good);
    await put(dir, 'B/cut.png', good.subarray(0, good.length / 2));
    await rejectsWith(buildManifest(dir), 'corrupt', path.join('B', 'cut.png'));
  });

  it('detects a file changed after the manifest was written, and one added without it', async () => {
    const dir = await freshDir();
    for (const name of ['x', 'y']) {
      await put(dir, `A/${name}.png`, await solid(16, 16, 10));
      await put(dir, `B/${name}.png`, await solid(16, 16, 10));
    }
    await buildManifest(dir);
    await put(dir, 'B/y.png', await solid(16, 16, 200));
    await rejectsWith(openDataset(dir), 'checksum_mismatch', path.join('B', 'y.png'));
    await buildManifest(dir);
    await put(dir, 'A/z.png', await solid(16, 16, 10));
    await put(dir, 'B/z.png', await solid(16, 16, 10));
    await rejectsWith(openDataset(dir), 'unlisted', path.join('A', 'z.png'));
  });
});

describe('curation', () => {
  it('adds pairs to a new dataset and keeps the manifest in step', async () => {
    const dir = path.join(await freshDir(), 'sketch');
    const first = await addPair(dir, { a: await png(noiseRgb(80, 64, 1)), b: await solid(80, 64, 255), name: 'first' }, { maxPixels: 1e6, minSide: 32 });
    assert.deepEqual(first.files, ['A/first.png', 'B/first.png']);
    // B comes at another size (a model's output); it is stored at A's size.
    const photo = await sharp(await png(noiseRgb(80, 64, 2)))
      .jpeg()
      .toBuffer();
    const second = await addPair(dir, { a: photo, b: await solid(160, 128, 0) }, { maxPixels: 1e6, minSide: 32 });
    assert.equal(second.files.length, 2);
    assert.match(second.files[0] ?? '', /^A\/[0-9a-f]{16}\.jpg$/);

    const manifest = await readManifest(dir);
    assert.equal(manifest.format, 'paired');
    assert.equal(manifest.counts.train.a + manifest.counts.test.a, 2);
    assert.deepEqual(Object.keys(manifest.files).sort(), [...first.files, ...second.files].sort());
    assert.equal(manifest.files[second.files[1] as string]?.width, 80);
    const bytes = await readFile(path.join(dir, second.files[0] as string));
    assert.deepEqual(bytes, Buffer.from(photo), 'JPEG photos are stored byte for byte');

    await rejectsWith(addPair(dir, { a: photo, b: await solid(80, 64, 0) }, { maxPixels: 1e6, minSide: 32 }), 'duplicate', second.files[0] as string);
    await rejectsWith(addPair(dir, { a: photo.subarray(0, 200), b: photo, name: 'broken' }, { maxPixels: 1e6, minSide: 32 }), 'corrupt', 'A');
    await rejectsWith(addPair(dir, { a: await solid(16, 16, 0), b: photo, name: 'tiny' }, { maxPixels: 1e6, minSide: 32 }), 'invalid_image', 'A');
    assert.equal(Object.keys((await readManifest(dir)).files).length, 4, 'failed additions leave the manifest as it was');
    await openDataset(dir, { preprocess: 'none' });
  });

  it('adds a pair to an aligned dataset as one side-by-side image', async () => {
    const dir = await freshDir();
    await put(dir, 'train/old.png', await solid(128, 64, 90));
    await put(dir, 'test/held.png', await solid(128, 64, 90));
    await buildManifest(dir);
    const { files, manifest } = await addPair(dir, { a: await solid(64, 64, 0), b: await solid(64, 64, 255), name: 'new' });
    assert.deepEqual(files, ['train/new.png']);
    assert.deepEqual(manifest.counts.train, { a: 2, b: 2 });
    assert.equal(manifest.files['train/new.png']?.width, 128);
    const { a, b } = await collect(dir, { preprocess: 'none', serialBatches: true });
    assert.ok(
      (a[0] as Float32Array).every((v) => v === -1),
      'A is the left half',
    );
    assert.ok(
      (b[0] as Float32Array).every((v) => v === 1),
      'B is the right half',
    );
  });

  it('adds single images to the domains of an unaligned dataset', async () => {
    const dir = path.join(await freshDir(), 'faces');
    await addSample(dir, { domain: 'A', image: await solid(64, 64, 30), name: 'photo1' });
    await addSample(dir, { domain: 'B', image: await solid(64, 64, 220), name: 'anime1' });
    await addSample(dir, { domain: 'A', image: await solid(64, 64, 40), name: 'photo2' });
    const manifest = await readManifest(dir);
    assert.equal(manifest.format, 'unaligned');
    assert.deepEqual(Object.keys(manifest.files).sort(), ['trainA/photo1.png', 'trainA/photo2.png', 'trainB/anime1.png']);
    await rejectsWith(addPair(dir, { a: await solid(64, 64, 1), b: await solid(64, 64, 2) }), 'bad_layout', dir);
  });
});

describe('target algorithms', () => {
  function square(size: number, inner: number, outer: number, from: number, to: number): RgbImage {
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) data.fill(x >= from && x < to && y >= from && y < to ? inner : outer, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
    return { width: size, height: size, data };
  }

  it('XDoG draws dark lines along the edges of a filled square and leaves the rest white', () => {
    const size = 48;
    const lines = xdog(luminance(square(size, 60, 230, 12, 36)), { sigma: 0.75, k: 1.6, p: 35, epsilon: -0.08, phi: 5 });
    const at = (x: number, y: number): number => lines.data[y * size + x] as number;
    // Every point of the square's outline has ink within a pixel or two.
    for (let t = 14; t < 34; t++) {
      for (const [x, y] of [
        [t, 12],
        [t, 35],
        [12, t],
        [35, t],
      ] as const) {
        const darkest = Math.min(at(x, y), at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1));
        assert.ok(darkest < 0.3, `no line near (${x}, ${y}): ${darkest}`);
      }
    }
    // Far from the edges, inside and outside, the paper stays white.
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const distance = Math.min(...[x - 12, 35 - x, y - 12, 35 - y].map(Math.abs));
        if (distance >= 4) assert.ok(at(x, y) > 0.95, `stray ink at (${x}, ${y}): ${at(x, y)}`);
      }
    }
  });

  it('toon flattens to at most k colours before inking and only darkens them with ink', () => {
    const image = noiseRgb(48, 48, 11);
    for (let i = 0; i < image.data.length; i += 3) image.data[i] = Math.floor((i / 3) % 48) * 5; // a red ramp under the noise
    const result = toon(image, {
      smoothing: { sigmaSpatial: 2, sigmaRange: 30, iterations: 2 },
      edgeIterations: 1,
      colors: { k: 5, iterations: 6, samples: 1024 },
      ink: { sigma: 1.2, k: 1.6, p: 40, epsilon: -0.1, phi: 5 },
    });
    const colours = new Set<string>();
    for (let i = 0; i < result.flat.data.length; i += 3) colours.add(`${result.flat.data[i]},${result.flat.data[i + 1]},${result.flat.data[i + 2]}`);
    assert.ok(colours.size <= 5, `${colours.size} colours`);
    assert.ok(colours.size >= 2);
    for (let i = 0; i < result.image.data.length; i++) assert.ok((result.image.data[i] as number) <= (result.flat.data[i] as number));
  });
});

describe('demo data builder', () => {
  it('builds loadable sketch and toon datasets with a held-out split', { timeout: 120_000 }, async () => {
    const out = await freshDir();
    // Without the Ren'Py games (an empty folder stands for them) anime is skipped.
    const args = ['--count', '6', '--size', '48', '--photo-share', '0', '--renpy-dir', path.join(out, 'no-renpy'), '--out', out];
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'trainer/data/build-demo-data.ts', ...args]);
    for (const style of ['sketch', 'toon']) {
      const manifest = await readManifest(path.join(out, style));
      assert.equal(manifest.format, 'paired');
      assert.deepEqual(manifest.counts, { train: { a: 5, b: 5 }, test: { a: 1, b: 1 } });
      const { shapes } = await collect(path.join(out, style), { preprocess: 'none', batchSize: 5 });
      assert.deepEqual(shapes, [[5, 48, 48, 3]]);
    }
  });
});
