import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import { DatasetError } from './dataset-error.js';
import { defaultHoldOutFraction, layoutFiles, readLayout, splitNames, stem, type DatasetFormat, type SplitName } from './dataset-layout.js';
import { manifestFromLayout, readManifest, sha256, writeManifest, type Manifest, type ManifestEntry } from './manifest.js';
import { edgeSmoothFile } from './targets/edge-smooth.js';

/**
 * Adding images to a dataset one at a time, as the bot's admin commands do ("add this
 * photo, or this photo and its result, to dataset X"). Each image is decoded and checked
 * against limits, written atomically (temporary file, then rename), and the manifest is
 * rewritten to include it, so the dataset stays loadable after every addition. The
 * manifest write is the commit point: if it fails, the new images are removed again.
 * Additions to one directory are serialised within this process; separate processes
 * must not curate the same dataset at once.
 *
 * A directory that does not exist (or is empty) becomes a new dataset: `paired` with
 * `A/` and `B/` for pairs, `unaligned` with `trainA/` and `trainB/` for single images,
 * both with the hash-based held-out fraction.
 */
export interface CurationLimits {
  /** Largest accepted image, in pixels (width × height). */
  maxPixels: number;
  /** Shortest accepted side, in pixels: smaller images are useless for training crops. */
  minSide: number;
}

export const defaultCurationLimits: CurationLimits = { maxPixels: 40_000_000, minSide: 64 };

const imageBytes = z.custom<Uint8Array>((b) => b instanceof Uint8Array, 'image bytes').refine((b) => b.length > 0, 'the image is empty');
const exampleName = z
  .string()
  .regex(/^[A-Za-z0-9][\w-]{0,99}$/, 'letters, digits, "_" and "-", at most 100, no extension');

export const pairInputSchema = z.object({
  a: imageBytes,
  b: imageBytes,
  /** File name without extension; defaults to a content hash of A. */
  name: exampleName.optional(),
  split: z.enum(splitNames).default('train'),
});
export type PairInput = z.input<typeof pairInputSchema>;

export const sampleInputSchema = z.object({
  domain: z.enum(['A', 'B']),
  image: imageBytes,
  name: exampleName.optional(),
  split: z.enum(splitNames).default('train'),
});
export type SampleInput = z.input<typeof sampleInputSchema>;

export interface CurationResult {
  /** The files written, relative to the dataset directory. */
  files: string[];
  manifest: Manifest;
}

/** Adds an A/B pair to a paired or aligned dataset (for aligned ones, side by side in one image). */
export async function addPair(dir: string, input: PairInput, limits: CurationLimits = defaultCurationLimits): Promise<CurationResult> {
  const pair = pairInputSchema.parse(input);
  return serialised(dir, async () => {
    const state = await openForCuration(dir, 'paired');
    if (state.format === 'unaligned') {
      throw new DatasetError('bad_layout', dir, `${dir} is an unaligned dataset: add single photos (A) or styled images (B) to it, not pairs.`);
    }
    const a = await validateImage(pair.a, 'A', limits);
    const b = await validateImage(pair.b, 'B', limits);
    const name = pair.name ?? a.hash.slice(0, 16);
    rejectDuplicate(dir, state.manifest, a.hash, 'A');
    const base = splitFolder(dir, state, pair.split);
    // pix2pix crops A and B at the same place, so B is brought to A's size.
    const bFitted = b.width === a.width && b.height === a.height ? b : await encode(sharp(b.bytes).autoOrient().resize(a.width, a.height, { fit: 'fill' }), b.extension);
    if (state.format === 'aligned') {
      const combined = await encode(
        sharp({ create: { width: a.width * 2, height: a.height, channels: 3, background: '#ffffff' } }).composite([
          { input: await sharp(a.bytes).autoOrient().toBuffer(), left: 0, top: 0 },
          { input: await sharp(bFitted.bytes).autoOrient().toBuffer(), left: a.width, top: 0 },
        ]),
        a.extension,
      );
      return commit(dir, state, [{ folder: base, name, image: combined }]);
    }
    return commit(dir, state, [
      { folder: path.posix.join(base, 'A'), name, image: a },
      { folder: path.posix.join(base, 'B'), name, image: bFitted },
    ]);
  });
}

/** Adds one image to a domain (A or B) of an unaligned dataset. */
export async function addSample(dir: string, input: SampleInput, limits: CurationLimits = defaultCurationLimits): Promise<CurationResult> {
  const sample = sampleInputSchema.parse(input);
  return serialised(dir, async () => {
    const state = await openForCuration(dir, 'unaligned');
    if (state.format !== 'unaligned') {
      throw new DatasetError('bad_layout', dir, `${dir} is a ${state.format} dataset: add a photo together with its styled image (a pair) to it, not single images.`);
    }
    const image = await validateImage(sample.image, sample.domain, limits);
    const folder = `${sample.split}${sample.domain}`;
    if (sample.split === 'test' && state.heldOut === 'fraction') {
      throw new DatasetError('bad_layout', dir, `${dir} has no testA/ or testB/ folder; its held-out examples are chosen by name, so add to the train split.`);
    }
    rejectDuplicate(dir, state.manifest, image.hash, sample.domain);
    const name = sample.name ?? image.hash.slice(0, 16);
    // A dataset with edge-smoothed copies of B needs one of each new B image too.
    const smoothFolder = `${state.heldOut === 'fraction' ? 'train' : sample.split}B_smooth`;
    if (sample.domain === 'B' && state.folders.has(smoothFolder)) {
      const copy = await edgeSmoothFile(image.bytes, image.extension, `image ${sample.domain}`);
      const { width, height } = await sharp(copy).metadata();
      const smoothed = { ...image, bytes: new Uint8Array(copy.buffer, copy.byteOffset, copy.length), hash: sha256(copy), width, height };
      return commit(dir, state, [
        { folder, name, image },
        { folder: smoothFolder, name, image: smoothed },
      ]);
    }
    return commit(dir, state, [{ folder, name, image }]);
  });
}

interface CurationState {
  format: DatasetFormat;
  manifest: Manifest | undefined;
  heldOut: 'directory' | 'fraction';
  fraction: number;
  folders: Set<string>;
}

interface ValidImage {
  bytes: Uint8Array;
  hash: string;
  extension: string;
  width: number;
  height: number;
}

async function openForCuration(dir: string, createAs: DatasetFormat): Promise<CurationState> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const folders = new Set(entries.filter((e) => e.isDirectory()).map((e) => e.name));
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  if (visible.length === 0) {
    return { format: createAs, manifest: undefined, heldOut: 'fraction', fraction: defaultHoldOutFraction, folders };
  }
  const manifest = await readManifest(dir);
  return {
    format: manifest.format,
    manifest,
    heldOut: manifest.heldOut.kind,
    fraction: manifest.heldOut.kind === 'fraction' ? manifest.heldOut.fraction : defaultHoldOutFraction,
    folders,
  };
}

/** The folder of a split of a paired or aligned dataset ('' is the dataset root). */
function splitFolder(dir: string, state: CurationState, split: SplitName): string {
  if (split === 'test') {
    if (state.heldOut === 'fraction') {
      throw new DatasetError('bad_layout', dir, `${dir} has no test/ folder; its held-out examples are chosen by name, so add to the train split.`);
    }
    return 'test';
  }
  return state.folders.has('train') ? 'train' : '';
}

async function validateImage(bytes: Uint8Array, label: string, limits: CurationLimits): Promise<ValidImage> {
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes).metadata();
  } catch (err) {
    throw new DatasetError('corrupt', label, `Image ${label} is not an image sharp can read (${(err as Error).message}).`);
  }
  const width = metadata.autoOrient.width;
  const height = metadata.autoOrient.height;
  if (!width || !height) throw new DatasetError('corrupt', label, `Image ${label} has no dimensions.`);
  if (width * height > limits.maxPixels) {
    throw new DatasetError('invalid_image', label, `Image ${label} is ${width}×${height}; the limit is ${limits.maxPixels} pixels.`);
  }
  if (Math.min(width, height) < limits.minSide) {
    throw new DatasetError('invalid_image', label, `Image ${label} is ${width}×${height}; each side must be at least ${limits.minSide} pixels.`);
  }
  try {
    await sharp(bytes, { failOn: 'warning' }).raw().toBuffer();
  } catch (err) {
    throw new DatasetError('corrupt', label, `Image ${label} is damaged or incomplete (${(err as Error).message}).`);
  }
  const kept = keptExtension(metadata.format);
  if (kept) return { bytes, hash: sha256(bytes), extension: kept, width, height };
  // Formats a dataset should not depend on (HEIF, TIFF, GIF, ...) are stored as PNG.
  return encode(sharp(bytes).autoOrient(), '.png');
}

/** JPEG, PNG and WebP are kept byte for byte; anything else is converted. */
function keptExtension(format: string | undefined): string | undefined {
  return format === 'jpeg' ? '.jpg' : format === 'png' ? '.png' : format === 'webp' ? '.webp' : undefined;
}

/** Encodes a pipeline as JPEG when the original was one, else as PNG. */
async function encode(pipeline: Sharp, originalExtension: string): Promise<ValidImage> {
  const jpeg = originalExtension === '.jpg';
  const { data, info } = await (jpeg ? pipeline.jpeg({ quality: 95 }) : pipeline.png()).toBuffer({ resolveWithObject: true });
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { bytes, hash: sha256(bytes), extension: jpeg ? '.jpg' : '.png', width: info.width, height: info.height };
}

/** An identical image already on the same side (A/, trainA/, testA/ ...) is refused. */
function rejectDuplicate(dir: string, manifest: Manifest | undefined, hash: string, side: 'A' | 'B'): void {
  if (!manifest) return;
  for (const [file, entry] of Object.entries(manifest.files)) {
    if (entry.sha256 === hash && path.posix.basename(path.posix.dirname(file)).endsWith(side)) {
      throw new DatasetError('duplicate', path.join(dir, file), `This image is already in the dataset as ${path.join(dir, file)}.`);
    }
  }
}

/** Writes the images, then the manifest that lists them; undoes the images if that fails. */
async function commit(dir: string, state: CurationState, items: { folder: string; name: string; image: ValidImage }[]): Promise<CurationResult> {
  for (const { folder, name } of items) {
    const existing = await readdir(path.join(dir, folder)).catch(() => [] as string[]);
    const clash = existing.find((file) => !file.startsWith('.') && stem(file) === name);
    if (clash) throw new DatasetError('duplicate', path.join(dir, folder, clash), `${path.join(dir, folder, clash)} already exists; choose another name.`);
  }
  const written: string[] = [];
  try {
    const entries: Record<string, ManifestEntry> = { ...(state.manifest?.files ?? {}) };
    for (const { folder, name, image } of items) {
      const file = path.posix.join(folder, `${name}${image.extension}`);
      await mkdir(path.join(dir, folder), { recursive: true });
      await writeFileAtomic(path.join(dir, file), image.bytes);
      written.push(file);
      entries[file] = { sha256: image.hash, bytes: image.bytes.length, width: image.width, height: image.height };
    }
    const layout = await readLayout(dir, state.format, state.fraction);
    for (const file of layoutFiles(layout)) {
      if (!(file in entries)) {
        throw new DatasetError('unlisted', path.join(dir, file), `${path.join(dir, file)} is not in manifest.json; rebuild the manifest before curating.`);
      }
    }
    const manifest = manifestFromLayout(layout, Object.fromEntries(layoutFiles(layout).map((f) => [f, entries[f] as ManifestEntry])));
    await writeManifest(dir, manifest);
    return { files: written, manifest };
  } catch (err) {
    await Promise.all(written.map((file) => rm(path.join(dir, file), { force: true })));
    throw err;
  }
}

const queues = new Map<string, Promise<unknown>>();

/** Runs curation steps on one dataset one after another within this process. */
async function serialised<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const key = path.resolve(dir);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(task);
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}
