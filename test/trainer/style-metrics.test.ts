import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { sharp } from '../../shared/image/sharp.js';
import { animeStatistics } from '../../trainer/eval/anime-statistics.js';
import { checkerboardPeaks } from '../../trainer/eval/checkerboard.js';
import { edgeCorrelation } from '../../trainer/eval/edge-correlation.js';
import { randomFeatureExtractor } from '../../trainer/feature-networks.js';
import { styleStatistics, StyleInputError } from '../../trainer/eval/style-statistics.js';
import { renderSampleGrid } from '../../trainer/reports/sample-grid.js';
import { photoPixels } from '../helpers/images.js';

before(async () => {
  await tf.setBackend('cpu');
});

const width = 160;
const height = 120;

/** Raw RGB → a [1, H, W, 3] tensor in [-1, 1]. */
function toTensor(pixels: Buffer): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 127.5 - 1),
    [1, height, width, 3],
  );
}

/** Seeded Gaussian-ish noise of ±`amplitude` levels added to every sample (sum of uniforms). */
function withNoise(pixels: Buffer, amplitude: number, seed: number): Buffer {
  let state = seed >>> 0;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return Buffer.from(pixels.map((v) => clampByte(v + amplitude * (uniform() + uniform() + uniform() - 1.5))));
}

function clampByte(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}

/** A flat-colour poster: a sky, a sun, a hill and a house, each one colour with hard edges. */
function posterPixels(): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour =
        (x - 120) ** 2 + (y - 30) ** 2 < 15 ** 2 ? [250, 210, 60] : x > 30 && x < 70 && y > 55 && y < 95 ? [200, 60, 50] : y > 80 + 10 * Math.sin(x / 25) ? [70, 160, 70] : [120, 180, 240];
      pixels.set(colour, (y * width + x) * 3);
    }
  }
  return pixels;
}

/** The pixels with ±`levels` added in a checkerboard of `square`-pixel squares (1: the pattern a stride-2 transposed convolution leaves). */
function withCheckerboard(pixels: Buffer, levels: number, square: number): Buffer {
  return Buffer.from(
    pixels.map((v, i) => {
      const p = Math.floor(i / 3);
      const sign = (Math.floor((p % width) / square) + Math.floor(Math.floor(p / width) / square)) % 2 === 0 ? 1 : -1;
      return clampByte(v + sign * levels);
    }),
  );
}

/** A photo-like picture with antialiased edges (photoPixels drawn at 4× and downscaled) and sensor noise. */
async function noisyPhoto(seed: number): Promise<Buffer> {
  const large = photoPixels(4 * width, 4 * height);
  const photo = await sharp(large, { raw: { width: 4 * width, height: 4 * height, channels: 3 } })
    .resize(width, height)
    .raw()
    .toBuffer();
  return withNoise(photo, 6, seed);
}

function tensorCountStaysFlat(measure: () => void): void {
  measure();
  const before = tf.memory().numTensors;
  measure();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

describe('anime statistics', () => {
  it('a flat-colour poster has more flat pixels and fewer colours than a noisy photo', () => {
    const poster = toTensor(posterPixels());
    const photo = toTensor(withNoise(photoPixels(width, height), 12, 1));
    const [posterStats] = animeStatistics(poster);
    const [photoStats] = animeStatistics(photo);
    assert.ok(posterStats!.flatFraction > 0.7, `poster flat fraction ${posterStats!.flatFraction}`);
    assert.ok(photoStats!.flatFraction < 0.1, `photo flat fraction ${photoStats!.flatFraction}`);
    // Four colours; antialiasing is absent, so exactly four after quantization.
    assert.equal(posterStats!.colours, 4);
    assert.ok(photoStats!.colours > 500, `photo colours ${photoStats!.colours}`);
    tensorCountStaysFlat(() => animeStatistics(photo));
    tf.dispose([poster, photo]);
  });

  it('counts colours after keeping colourBits bits per channel', () => {
    // Two greys 4 levels apart are one colour at 5 bits (8 levels per bin), two at 8 bits.
    const pixels = Buffer.alloc(width * height * 3, 64);
    pixels.fill(68, 0, (width * height * 3) / 2);
    const image = toTensor(pixels);
    assert.equal(animeStatistics(image)[0]!.colours, 1);
    assert.equal(animeStatistics(image, { colourBits: 8 })[0]!.colours, 2);
    tf.dispose(image);
  });
});

describe('checkerboard peaks', () => {
  /** The peak ratios of a clean photo and of the same photo with a checkerboard of `square`-pixel squares added. */
  async function cleanAndGridded(seed: number, square: number) {
    const photo = await noisyPhoto(seed);
    const [clean, gridded] = [toTensor(photo), toTensor(withCheckerboard(photo, 3, square))];
    const result = { clean: checkerboardPeaks(clean)[0]!, gridded: checkerboardPeaks(gridded)[0]! };
    tensorCountStaysFlat(() => checkerboardPeaks(gridded));
    tf.dispose([clean, gridded]);
    return result;
  }

  it('an added one-pixel checkerboard raises the period-2 peak many times; a clean photo has none', async () => {
    const { clean, gridded } = await cleanAndGridded(2, 1);
    assert.ok(clean[2]! < 2 && clean[4]! < 2, `clean ratios ${JSON.stringify(clean)}`);
    assert.ok(gridded[2]! > 10 * clean[2]!, `gridded ${gridded[2]} vs clean ${clean[2]}`);
    // A period-2 grid adds nothing at the frequencies period 4 adds.
    assert.ok(gridded[4]! < 2, `gridded period-4 ratio ${gridded[4]}`);
  });

  it('a checkerboard of 2-pixel squares shows at period 4', async () => {
    const { clean, gridded } = await cleanAndGridded(3, 2);
    assert.ok(gridded[4]! > 10 * clean[4]!, `gridded ${gridded[4]} vs clean ${clean[4]}`);
  });
});

describe('edge correlation', () => {
  it('an image and its blurred copy correlate highly, unrelated images do not', async () => {
    const photo = photoPixels(width, height);
    const blurred = await sharp(photo, { raw: { width, height, channels: 3 } })
      .blur(1.5)
      .raw()
      .toBuffer();
    const [a, b, c] = [photo, blurred, posterPixels()].map(toTensor);
    const [withBlurred] = edgeCorrelation(a!, b!);
    const [withUnrelated] = edgeCorrelation(a!, c!);
    assert.ok(withBlurred! > 0.7, `blurred copy ${withBlurred}`);
    assert.ok(Math.abs(withUnrelated!) < 0.2, `unrelated ${withUnrelated}`);
    closeTo(edgeCorrelation(a!, a!)[0]!, 1);
    tensorCountStaysFlat(() => edgeCorrelation(a!, b!));
    tf.dispose([a!, b!, c!]);
  });
});

describe('style statistics', () => {
  it('a posterizing "style" moves flat fraction and colours from the photos toward flat-colour images, keeping the edges', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'style-statistics-'));
    const extractor = randomFeatureExtractor({ channels: [8, 8] });
    try {
      const png = (pixels: Buffer) =>
        sharp(pixels, { raw: { width, height, channels: 3 } })
          .png()
          .toBuffer();
      await Promise.all(['photos', 'anime'].map((d) => mkdir(path.join(dir, d))));
      for (const seed of [1, 2, 3]) await writeFile(path.join(dir, 'photos', `photo-${seed}.png`), await png(await noisyPhoto(seed)));
      for (const shift of [0, 40]) await writeFile(path.join(dir, 'anime', `poster-${shift}.png`), await png(Buffer.from(posterPixels().map((v) => clampByte(v - shift)))));
      await writeFile(path.join(dir, 'anime', 'notes.txt'), 'not an image');
      // The "model": a median filter and 4 levels per channel, at the requested size.
      const posterize = async (image: { data: Buffer; width: number; height: number }, output: { width: number; height: number }) => {
        const smoothed = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
          .median(5)
          .resize(output.width, output.height)
          .raw()
          .toBuffer();
        return Buffer.from(smoothed.map((v) => Math.min(255, Math.round(v / 85) * 85)));
      };
      const progress: number[] = [];
      const run = () =>
        styleStatistics({
          ...baseRequest(dir, extractor),
          translate: async (image, output) => {
            const styled = await posterize(image, output);
            return { styled, network: { input: { data: image.data, width: image.width, height: image.height }, output: { data: styled, ...output } } };
          },
          onProgress: (done) => progress.push(done),
        });
      const stats = await run();
      assert.deepEqual(progress, [1, 2, 3, 4, 5]);
      assert.equal(stats.photos.images, 3);
      assert.equal(stats.anime.images, 2, 'the text file is not an image');
      assert.ok(stats.outputs.flatFraction > stats.photos.flatFraction + 0.2, `flat: photos ${stats.photos.flatFraction}, outputs ${stats.outputs.flatFraction}`);
      assert.ok(stats.outputs.colours < stats.photos.colours / 10, `colours: photos ${stats.photos.colours}, outputs ${stats.outputs.colours}`);
      assert.ok(stats.outputs.edgeCorrelation > 0.5, `edge correlation ${stats.outputs.edgeCorrelation}`);
      assert.equal(stats.featureExtractor, extractor.name);
      assert.ok(stats.photos.kidToAnime && stats.outputs.kidToAnime, 'KID of photos and outputs to the anime images');
      assert.ok(stats.outputs.checkerboard[2]! < 3, `posterizing adds no grid: ${stats.outputs.checkerboard[2]}`);
      const tensors = tf.memory().numTensors;
      await run();
      assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
      await assert.rejects(styleStatistics({ ...baseRequest(dir, extractor), animeDir: path.join(dir, 'missing') }), StyleInputError);
    } finally {
      extractor.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function baseRequest(dir: string, extractor: ReturnType<typeof randomFeatureExtractor>): Parameters<typeof styleStatistics>[0] {
  return {
    photosDir: path.join(dir, 'photos'),
    animeDir: path.join(dir, 'anime'),
    maxSide: 256,
    limits: { maxBytes: 1 << 24, maxPixels: 1 << 24 },
    extractor,
    translate: () => Promise.reject(new Error('not reached')),
  };
}

describe('sample grid cells', () => {
  it('centres an image smaller than its cell and writes a note in an empty one', async () => {
    const red = { pixels: Buffer.alloc(20 * 10 * 3).fill(Buffer.from([255, 0, 0])), width: 20, height: 10 };
    const png = await renderSampleGrid([[red, { note: 'no anime model installed' }]], ['input', 'anime'], 40);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    // Cell 0 starts at (4, 32): the 20×10 image sits at (14..33, 47..56), grey around it.
    assert.deepEqual(pixel(24, 52), [255, 0, 0]);
    assert.deepEqual(pixel(6, 34), [232, 232, 232]);
    // Cell 1 (x 48..87) holds dark text pixels.
    let dark = 0;
    for (let y = 32; y < 72; y++) for (let x = 48; x < 88; x++) if (pixel(x, y)[0]! < 150) dark++;
    assert.ok(dark > 5, `note pixels: ${dark}`);
  });
});

function closeTo(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-5, `expected ${expected}, got ${actual}`);
}
