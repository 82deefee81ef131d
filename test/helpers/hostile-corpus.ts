/**
 * The hostile input corpus (issue 13, part 2): files made in code at test time, each with the
 * answer a user must get — a styled image ('ok') or a UserError code — plus a seeded mutation
 * fuzzer over valid seeds. Nothing here is committed as a binary.
 */
import { rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../shared/config.js';
import { UserError, type UserErrorCode } from '../../shared/errors.js';
import { outputDimensions } from '../../shared/image/geometry.js';
import { sharp } from '../../shared/image/sharp.js';
import { SeededRandom } from '../../trainer/data/seeded-random.js';
import {
  animatedGif,
  animatedWebp,
  apng,
  bmpImage,
  cmykJpeg,
  greyPng,
  jpegWithExifRotation,
  makePhoto,
  pdfDocument,
  png16WithAlpha,
  pngChunk,
  pngClaiming,
  pngSignature,
  textFile,
} from './images.js';
import { testConfig, testProducer, testWorker, type TestProducer } from './pipeline.js';
import { startTestRedis } from './redis.js';
import { tinyModelStore } from './tiny-model.js';

/** What a corpus file must get: 'ok' (a styled image) or the code of its own refusal. */
export type Expected = 'ok' | UserErrorCode;

export interface CorpusFile {
  name: string;
  bytes: Buffer;
  /** Every answer that is right for this file (a fuzzed file may decode or be refused). */
  expected: readonly Expected[];
  /** Displayed width×height the output must have the aspect of, when it is an image. */
  displayed?: { width: number; height: number };
  /** For EXIF files: the displayed corner holding the red marker. */
  markerCorner?: Corner;
}

export type Corner = 'top-left' | 'top-right' | 'bottom-right' | 'bottom-left';

/** Errors that bad image bytes may rightly get; a fuzzed file gets one of these or decodes. */
const refusalsOfDamagedBytes: readonly Expected[] = ['corrupt_image', 'not_an_image', 'unsupported_format', 'image_too_large', 'empty_input'];

/** Where the stored top-left corner ends up on screen for EXIF orientations 1-8, and whether the sides swap. */
const exifOrientations: readonly { orientation: number; corner: Corner; swaps: boolean }[] = [
  { orientation: 1, corner: 'top-left', swaps: false },
  { orientation: 2, corner: 'top-right', swaps: false }, // mirrored left-right
  { orientation: 3, corner: 'bottom-right', swaps: false }, // turned 180°
  { orientation: 4, corner: 'bottom-left', swaps: false }, // mirrored top-bottom
  { orientation: 5, corner: 'top-left', swaps: true }, // transposed
  { orientation: 6, corner: 'top-right', swaps: true }, // turned 90° clockwise
  { orientation: 7, corner: 'bottom-right', swaps: true }, // transversed
  { orientation: 8, corner: 'bottom-left', swaps: true }, // turned 90° anticlockwise
];

const text = (s: string) => Buffer.from(s, 'utf8');

/** The first `fraction` of `bytes` (an upload cut off). */
const truncated = (bytes: Buffer, fraction: number) => bytes.subarray(0, Math.max(1, Math.floor(bytes.length * fraction)));

/** A copy of `bytes` with `patch` written at `offset`. */
function patched(bytes: Buffer, offset: number, patch: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  patch.copy(copy, offset);
  return copy;
}

function randomBytes(length: number, random: SeededRandom): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = random.int(0, 255);
  return bytes;
}

/** The JPEG SOF0 marker's offset (its height and width follow at +5 and +7). */
function sofOffset(jpeg: Buffer): number {
  for (let i = 2; i + 1 < jpeg.length; i++) if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) return i;
  throw new Error('no SOF marker');
}

/** A minimal ZIP archive (one stored file), as an "image" a user might send by mistake. */
function zipArchive(): Buffer {
  const name = text('photo.jpg');
  const content = text('not really a photo');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(zlib.crc32(content), 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  return Buffer.concat([local, name, content, end]);
}

/** A Windows icon file: header, one directory entry, a PNG as its image. */
async function icoFile(): Promise<Buffer> {
  const png = await makePhoto(16, 16, 'png');
  const header = Buffer.alloc(6 + 16);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header[6] = 16;
  header[7] = 16;
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(png.length, 14);
  header.writeUInt32LE(header.length, 18);
  return Buffer.concat([header, png]);
}

/** A real PNG whose pixels (all black) compress about a thousandfold: megapixels far above the limit in a few kB. */
function decompressionBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  // Each row is a filter byte (0) and `width` black samples: all zeros.
  const pixels = zlib.deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
  return Buffer.concat([pngSignature, pngChunk('IHDR', header), pngChunk('IDAT', pixels), pngChunk('IEND', Buffer.alloc(0))]);
}

/** An SVG drawing that references `externalUrl` (an image and a stylesheet) — rendering it must not fetch anything. */
export function svgWithExternalReference(externalUrl: string): Buffer {
  return text(
    `<?xml version="1.0"?>\n<?xml-stylesheet href="${externalUrl}/style.css"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">` +
      `<image xlink:href="${externalUrl}/image.png" width="64" height="64"/><rect width="10" height="10" fill="red"/></svg>\n`,
  );
}

/** An SVG with an internal DTD subset (entity definitions), which hides the `<svg` root from a simple prolog check. */
export function svgWithEntities(externalUrl: string): Buffer {
  return text(
    `<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY ext SYSTEM "${externalUrl}/entity.txt"><!ENTITY a "aaaaaaaaaa">]>\n` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&ext;&a;&a;</text></svg>\n`,
  );
}

/**
 * The corpus: ≥ 60 files. `externalUrl` is a loopback server the SVGs point at, so a test can
 * see that nothing fetched them.
 */
export async function hostileCorpus(externalUrl: string): Promise<CorpusFile[]> {
  const random = new SeededRandom(13);
  const jpeg = await makePhoto(96, 64, 'jpeg');
  const png = await makePhoto(96, 64, 'png');
  const webp = await makePhoto(96, 64, 'webp');
  const gif = await makePhoto(96, 64, 'gif');
  const photo = { width: 96, height: 64 };
  const files: CorpusFile[] = [
    { name: 'zero bytes.jpg', bytes: Buffer.alloc(0), expected: ['empty_input'] },
    { name: 'one byte.png', bytes: Buffer.from([0x89]), expected: ['not_an_image'] },
    { name: 'random 1 kB.jpg', bytes: randomBytes(1024, random), expected: ['not_an_image'] },
    { name: 'random 100 kB.png', bytes: randomBytes(100_000, random), expected: ['not_an_image'] },
    { name: 'text.jpg', bytes: textFile(), expected: ['not_an_image'] },
    { name: 'html.png', bytes: text('<!doctype html><html><body><img src="x.png"><svg width="10" height="10"></svg></body></html>'), expected: ['not_an_image'] },
    { name: 'pdf.jpg', bytes: pdfDocument(), expected: ['unsupported_format'] },
    { name: 'zip.png', bytes: zipArchive(), expected: ['not_an_image'] },
    { name: 'gzip.jpg', bytes: zlib.gzipSync(text('hello')), expected: ['not_an_image'] },
  ];
  for (const [format, bytes] of [
    ['jpeg', jpeg],
    ['png', png],
    ['webp', webp],
    ['gif', gif],
  ] as const) {
    for (const fraction of [0.02, 0.3, 0.6, 0.95]) {
      files.push({ name: `${format} truncated at ${fraction * 100} %`, bytes: truncated(bytes, fraction), expected: ['corrupt_image'] });
    }
  }
  const sof = sofOffset(jpeg);
  files.push(
    { name: 'jpeg, SOF says 0×0', bytes: patched(jpeg, sof + 5, Buffer.from([0, 0, 0, 0])), expected: ['corrupt_image'] },
    { name: 'jpeg, SOF says 60000×60000', bytes: patched(jpeg, sof + 5, Buffer.from([0xea, 0x60, 0xea, 0x60])), expected: ['image_too_large'] },
    { name: 'jpeg, header only', bytes: jpeg.subarray(0, sof + 20), expected: ['corrupt_image'] },
    { name: 'png, IHDR CRC wrong', bytes: patched(png, 29, Buffer.from([0, 0, 0, 0])), expected: ['corrupt_image'] },
    { name: 'png, width 0', bytes: patched(png, 16, Buffer.from([0, 0, 0, 0])), expected: ['corrupt_image'] },
    { name: 'png, IDAT zeroed', bytes: patched(png, 41, Buffer.alloc(200)), expected: ['corrupt_image'] },
    { name: 'webp, RIFF size 4 GB', bytes: patched(webp, 4, Buffer.from([0xff, 0xff, 0xff, 0xff])), expected: ['corrupt_image', 'ok'] },
    { name: 'webp, VP8 chunk garbled', bytes: patched(webp, 20, randomBytes(32, random)), expected: ['corrupt_image'] },
    { name: 'gif, screen 0×0', bytes: patched(gif, 6, Buffer.from([0, 0, 0, 0])), expected: ['corrupt_image', 'ok'] },
    { name: 'png claims 30000×30000', bytes: pngClaiming(30000, 30000), expected: ['image_too_large'] },
    { name: 'png claims 100000×1', bytes: pngClaiming(100000, 1), expected: ['corrupt_image'] },
    { name: 'png claims 2^31×2^31', bytes: pngClaiming(2 ** 31 - 1, 2 ** 31 - 1), expected: ['image_too_large', 'corrupt_image'] },
    { name: 'decompression bomb png 8000×8000', bytes: decompressionBomb(8000, 8000), expected: ['image_too_large'] },
    { name: '1×1 png', bytes: await makePhoto(1, 1, 'png'), expected: ['ok'], displayed: { width: 1, height: 1 } },
    { name: '20000×2 png', bytes: await makePhoto(20000, 2, 'png'), expected: ['ok'], displayed: { width: 20000, height: 2 } },
    { name: '2×20000 jpeg', bytes: await makePhoto(2, 20000, 'jpeg'), expected: ['ok'], displayed: { width: 2, height: 20000 } },
    { name: '16-bit png with alpha', bytes: await png16WithAlpha(), expected: ['ok'], displayed: { width: 8, height: 4 } },
    { name: 'greyscale png', bytes: await greyPng(40, 30), expected: ['ok'], displayed: { width: 40, height: 30 } },
    { name: 'CMYK jpeg', bytes: await cmykJpeg(), expected: ['ok'], displayed: { width: 16, height: 16 } },
    {
      name: 'palette png with transparency',
      bytes: await sharp(Buffer.alloc(32 * 24 * 4, 0x80), { raw: { width: 32, height: 24, channels: 4 } })
        .png({ palette: true, colours: 16 })
        .toBuffer(),
      expected: ['ok'],
      displayed: { width: 32, height: 24 },
    },
    { name: 'progressive jpeg', bytes: await sharp(jpeg).jpeg({ progressive: true }).toBuffer(), expected: ['ok'], displayed: photo },
  );
  for (const { orientation, corner, swaps } of exifOrientations) {
    files.push({
      name: `jpeg EXIF orientation ${orientation}`,
      bytes: await jpegWithExifRotation(80, 40, orientation),
      expected: ['ok'],
      displayed: swaps ? { width: 40, height: 80 } : { width: 80, height: 40 },
      markerCorner: corner,
    });
  }
  files.push(
    { name: 'animated gif', bytes: await animatedGif(), expected: ['ok'], displayed: { width: 16, height: 12 } },
    { name: 'animated webp', bytes: await animatedWebp(), expected: ['ok'], displayed: { width: 16, height: 12 } },
    { name: 'apng', bytes: await apng(), expected: ['ok'], displayed: { width: 16, height: 12 } },
    {
      name: 'multi-page tiff',
      bytes: await sharp(Buffer.concat([Buffer.alloc(16 * 12 * 3, 200), Buffer.alloc(16 * 12 * 3, 40)]), { raw: { width: 16, height: 24, channels: 3, pageHeight: 12 } })
        .tiff()
        .toBuffer(),
      expected: ['ok'],
      displayed: { width: 16, height: 12 },
    },
    { name: 'tiff', bytes: await makePhoto(96, 64, 'tiff'), expected: ['ok'], displayed: photo },
    { name: 'avif', bytes: await makePhoto(96, 64, 'avif'), expected: ['ok'], displayed: photo },
    { name: 'svg, external references', bytes: svgWithExternalReference(externalUrl), expected: ['unsupported_format'] },
    {
      name: 'svg, 100000×100000',
      bytes: text('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="100%" height="100%"/></svg>'),
      expected: ['unsupported_format'],
    },
    { name: 'svg, entities in a DTD', bytes: svgWithEntities(externalUrl), expected: ['unsupported_format'] },
    {
      name: 'svg after 8 kB of comment',
      bytes: Buffer.concat([text(`<!--${' '.repeat(8192)}-->`), svgWithExternalReference(externalUrl)]),
      expected: ['unsupported_format'],
    },
    { name: 'svgz (gzipped svg)', bytes: zlib.gzipSync(svgWithExternalReference(externalUrl)), expected: ['not_an_image'] },
    { name: 'bmp', bytes: bmpImage(), expected: ['unsupported_format'] },
    { name: 'ico', bytes: await icoFile(), expected: ['unsupported_format'] },
    // Past MAX_INPUT_BYTES (20 MB): a valid JPEG header followed by padding.
    { name: '25 MB file', bytes: Buffer.concat([jpeg, Buffer.alloc(25 * 1024 * 1024 - jpeg.length)]), expected: ['file_too_large'] },
  );
  return files;
}

/** Valid seeds for the fuzzer, small so that each mutant decodes quickly when it decodes at all. */
async function fuzzSeeds(): Promise<[string, Buffer][]> {
  return [
    ['jpeg', await makePhoto(48, 32, 'jpeg')],
    ['png', await makePhoto(48, 32, 'png')],
    ['webp', await makePhoto(48, 32, 'webp')],
    ['gif', await makePhoto(48, 32, 'gif')],
    ['tiff', await makePhoto(48, 32, 'tiff')],
    ['exif jpeg', await jpegWithExifRotation(48, 32, 6)],
  ];
}

/**
 * `count` mutants of the valid seeds, reproducible from `seed`: random bytes flipped, a run
 * overwritten, a block deleted or repeated, the tail cut. Each may decode (any image) or get
 * a damaged-image refusal; nothing else is right.
 */
export async function fuzzedCorpus(count: number, seed: number): Promise<CorpusFile[]> {
  const random = new SeededRandom(seed);
  const seeds = await fuzzSeeds();
  const pick = (n: number) => random.int(0, n - 1);
  const mutations: Record<string, (bytes: Buffer) => Buffer> = {
    'flip bytes': (bytes) => {
      const copy = Buffer.from(bytes);
      for (let i = 1 + pick(8); i > 0; i--) copy[pick(copy.length)] = pick(256);
      return copy;
    },
    'overwrite run': (bytes) => patched(bytes, pick(bytes.length), randomBytes(1 + pick(64), random)).subarray(0, bytes.length),
    'delete block': (bytes) => {
      const start = pick(bytes.length);
      return Buffer.concat([bytes.subarray(0, start), bytes.subarray(start + 1 + pick(256))]);
    },
    'repeat block': (bytes) => {
      const start = pick(bytes.length);
      const block = bytes.subarray(start, start + 1 + pick(256));
      return Buffer.concat([bytes.subarray(0, start), block, block, bytes.subarray(start)]);
    },
    'cut tail': (bytes) => bytes.subarray(0, 1 + pick(bytes.length - 1)),
  };
  const names = Object.keys(mutations);
  return Array.from({ length: count }, (_, i) => {
    const [seedName, bytes] = seeds[pick(seeds.length)]!;
    const mutation = names[pick(names.length)]!;
    return { name: `fuzz #${i + 1}: ${seedName}, ${mutation}`, bytes: mutations[mutation]!(bytes), expected: ['ok', ...refusalsOfDamagedBytes] };
  });
}

/** What one corpus file got through the queue. */
export interface CorpusResult {
  file: CorpusFile;
  /** 'ok', a UserError code, or "crash: …" for anything that is not a user-facing answer. */
  got: string;
  seconds: number;
  /** Attempts the worker made (refusals of bad input must not be retried). */
  attempts: number;
  output: { width: number; height: number; pixels: Buffer } | undefined;
}

/** Slowest acceptable answers: a refusal comes from the header or a failed decode, a result from a tiny model. */
export const refusalSeconds = 5;
export const resultSeconds = 20;

/** A private Redis, tiny sketch and toon models and a real translate worker, with a producer on them. */
export async function startCorpusPipeline(): Promise<{ producer: TestProducer; config: Config; close(): Promise<void> }> {
  await tf.setBackend('cpu');
  const redis = await startTestRedis();
  const { store } = await tinyModelStore(['sketch', 'toon'], 64);
  const config = testConfig();
  const worker = await testWorker(redis.url, config, store);
  const producer = await testProducer(redis.url, config);
  return {
    producer,
    config,
    async close() {
      await producer.close();
      await worker.close();
      await redis.stop();
      await rm(store.root, { recursive: true, force: true });
    },
  };
}

/** Sends each file through the queue in turn, as a user's upload, and records the answer and how long it took. */
export async function runThroughQueue(producer: TestProducer, files: readonly CorpusFile[]): Promise<CorpusResult[]> {
  const results: CorpusResult[] = [];
  for (const file of files) {
    const started = performance.now();
    const id = await producer.client.submit(file.bytes, { platform: 'cli' });
    const answer = await producer.client.wait(id, undefined, 60_000).then(
      async (result) => {
        const { data, info } = await sharp(await producer.client.takeOutput(result))
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        return { got: 'ok', output: { width: info.width, height: info.height, pixels: data } };
      },
      (error: unknown) => ({ got: error instanceof UserError ? error.code : `crash: ${String(error)}`, output: undefined }),
    );
    const seconds = (performance.now() - started) / 1000;
    const attempts = (await producer.queue.getJob(id))?.attemptsMade ?? -1;
    results.push({ file, ...answer, seconds, attempts });
  }
  return results;
}

/** Mean RGB of the side×side patch whose top-left pixel is (x, y). */
function patchMean(output: NonNullable<CorpusResult['output']>, x: number, y: number, side: number): [number, number, number] {
  const sum = [0, 0, 0];
  for (let dy = 0; dy < side; dy++) {
    for (let dx = 0; dx < side; dx++) {
      const offset = ((y + dy) * output.width + x + dx) * 3;
      for (let c = 0; c < 3; c++) sum[c]! += output.pixels[offset + c]!;
    }
  }
  return sum.map((s) => s / (side * side)) as [number, number, number];
}

/**
 * The corner of the output that differs from the other three (they show the plain background,
 * it shows the marker), or undefined when no corner stands out.
 */
export function oddCorner(output: NonNullable<CorpusResult['output']>): Corner | undefined {
  // Inside the marker (a quarter of the short side), away from the edge, where the model sees the border.
  const side = Math.max(1, Math.floor(Math.min(output.width, output.height) / 20));
  const inset = Math.floor(Math.min(output.width, output.height) / 10);
  const far = (length: number) => length - inset - side;
  const corners: [Corner, [number, number, number]][] = [
    ['top-left', patchMean(output, inset, inset, side)],
    ['top-right', patchMean(output, far(output.width), inset, side)],
    ['bottom-right', patchMean(output, far(output.width), far(output.height), side)],
    ['bottom-left', patchMean(output, inset, far(output.height), side)],
  ];
  const distance = (a: readonly number[], b: readonly number[]) => Math.hypot(...a.map((v, i) => v - b[i]!));
  for (const [corner, colour] of corners) {
    const others = corners.filter(([c]) => c !== corner).map(([, rgb]) => rgb);
    const spreadOfOthers = Math.max(...others.flatMap((a) => others.map((b) => distance(a, b))));
    if (Math.min(...others.map((o) => distance(colour, o))) > 60 && spreadOfOthers < 20) return corner;
  }
  return undefined;
}

/** What is wrong with one answer (empty when it is right): the code, the time, retries, the output's size and orientation. */
export function problemsOf(result: CorpusResult, maxOutputSide: number): string[] {
  const { file, got, output } = result;
  const problems: string[] = [];
  if (!file.expected.includes(got as Expected)) problems.push(`expected ${file.expected.join(' or ')}, got ${got}`);
  const limit = got === 'ok' ? resultSeconds : refusalSeconds;
  if (result.seconds > limit) problems.push(`took ${result.seconds.toFixed(1)} s (limit ${limit} s)`);
  if (got !== 'ok' && result.attempts !== 1) problems.push(`refused after ${result.attempts} attempts`);
  if (output && file.displayed) {
    const { width, height } = outputDimensions(file.displayed.width, file.displayed.height, undefined, maxOutputSide);
    if (output.width !== width || output.height !== height) problems.push(`output ${output.width}×${output.height}, expected ${width}×${height}`);
  }
  if (output && file.markerCorner) {
    const corner = oddCorner(output);
    if (corner !== file.markerCorner) problems.push(`marker at ${corner ?? 'no corner'}, expected ${file.markerCorner}`);
  }
  return problems;
}

/** The results as a Markdown table: file, bytes, expected, got, seconds, verdict. */
export function resultsTable(results: readonly CorpusResult[], maxOutputSide: number): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const rows = results.map((r) => {
    const problems = problemsOf(r, maxOutputSide);
    const got = r.output ? `ok (${r.output.width}×${r.output.height})` : r.got;
    return `| ${cell(r.file.name)} | ${r.file.bytes.length} | ${r.file.expected.join(' / ')} | ${cell(got)} | ${r.seconds.toFixed(2)} | ${problems.length ? cell(problems.join('; ')) : 'pass'} |`;
  });
  return ['| file | bytes | expected | got | seconds | verdict |', '|---|---:|---|---|---:|---|', ...rows].join('\n');
}

/** A loopback HTTP server the corpus's SVGs point at; `requests` counts what reached it (it must stay 0). */
export async function startReferenceTrap(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((_request, response) => {
    requests++;
    response.end('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
