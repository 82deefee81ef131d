import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from './dataset-error.js';
import { deriveSeed } from './seeded-random.js';

/**
 * The three dataset layouts people already have, and where their files are:
 *
 * - `aligned` (pix2pix, e.g. facades): each image holds A on the left half and B on the
 *   right. Images in `train/` (or in the root when there is no `train/`), held-out ones
 *   in `test/`.
 * - `paired`: `A/` and `B/` folders whose files match by name (the extension may differ,
 *   so `A/001.jpg` pairs with `B/001.png`). In `train/A`, `train/B` and `test/A`,
 *   `test/B`, or `A/`, `B/` in the root when there is no `train/`.
 * - `unaligned` (CycleGAN): two unrelated domains in `trainA/`, `trainB/`, held out in
 *   `testA/`, `testB/`. Optionally `trainB_smooth/` (and `testB_smooth/`): for each B
 *   image a file of the same name, its edge-smoothed copy (AnimeGAN's edge-promoting loss).
 *
 * When there is no `test/` (or `testA/`, `testB/`), a fraction of the examples (10% by
 * default, recorded in the manifest) is held out instead, chosen by a hash of each file
 * name: the choice is the same on every machine and run, and adding files later does not
 * move existing ones between splits (except that a dataset of two or more examples always
 * keeps at least one on each side, which may shift while it is tiny).
 */
export const datasetFormats = ['aligned', 'paired', 'unaligned'] as const;
export type DatasetFormat = (typeof datasetFormats)[number];

export const splitNames = ['train', 'test'] as const;
export type SplitName = (typeof splitNames)[number];

export type HeldOut = { kind: 'directory' } | { kind: 'fraction'; fraction: number };

/** Paths are relative to the dataset directory, with `/` separators. */
export type SplitFiles =
  | { kind: 'aligned'; files: string[] }
  | { kind: 'paired'; pairs: { a: string; b: string }[] }
  | { kind: 'unaligned'; a: string[]; b: string[]; bSmoothed?: Record<string, string> };

export interface DatasetLayout {
  format: DatasetFormat;
  heldOut: HeldOut;
  splits: Record<SplitName, SplitFiles>;
}

export const defaultHoldOutFraction = 0.1;

const imageExtensions = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif']);

export function isImageFile(name: string): boolean {
  return !name.startsWith('.') && imageExtensions.has(path.extname(name).toLowerCase());
}

/** Every image of a layout, each once. */
export function layoutFiles(layout: DatasetLayout): string[] {
  return splitNames.flatMap((split) => splitFiles(layout.splits[split]));
}

function splitFiles(files: SplitFiles): string[] {
  switch (files.kind) {
    case 'aligned':
      return files.files;
    case 'paired':
      return files.pairs.flatMap(({ a, b }) => [a, b]);
    case 'unaligned':
      return [...files.a, ...files.b, ...Object.values(files.bSmoothed ?? {})];
  }
}

/** Examples per side: for aligned and paired data both sides have as many as there are pairs. */
export function splitCounts(files: SplitFiles): { a: number; b: number } {
  switch (files.kind) {
    case 'aligned':
      return { a: files.files.length, b: files.files.length };
    case 'paired':
      return { a: files.pairs.length, b: files.pairs.length };
    case 'unaligned':
      return { a: files.a.length, b: files.b.length };
  }
}

/** Guesses the format from the folders present. */
export async function detectFormat(dir: string): Promise<DatasetFormat> {
  const folders = await subfolders(dir);
  if (folders.has('trainA') || folders.has('trainB')) return 'unaligned';
  if (folders.has('A') || folders.has('B')) return 'paired';
  if (folders.has('train') && (await subfolders(path.join(dir, 'train'))).has('A')) return 'paired';
  return 'aligned';
}

/**
 * Where the train and test files of a dataset are. Fails when a paired image has no
 * partner; a split may be empty (a dataset being built up by curation).
 */
export async function readLayout(dir: string, format: DatasetFormat, holdOutFraction = defaultHoldOutFraction): Promise<DatasetLayout> {
  const folders = await subfolders(dir);
  if (format === 'unaligned') {
    const a = await listImages(dir, 'trainA');
    const b = await listImages(dir, 'trainB');
    const domain = async (aFiles: string[], bFiles: string[], smoothFolder: string): Promise<SplitFiles> => {
      const bSmoothed = folders.has(smoothFolder) ? await smoothedCopies(dir, bFiles, smoothFolder) : undefined;
      return { kind: format, a: aFiles, b: bFiles, ...(bSmoothed ? { bSmoothed } : {}) };
    };
    if (folders.has('testA') || folders.has('testB')) {
      return {
        format,
        heldOut: { kind: 'directory' },
        splits: { train: await domain(a, b, 'trainB_smooth'), test: await domain(await listImages(dir, 'testA'), await listImages(dir, 'testB'), 'testB_smooth') },
      };
    }
    const splitA = splitByHash(a, (f) => f, holdOutFraction);
    const splitB = splitByHash(b, (f) => f, holdOutFraction);
    return {
      format,
      heldOut: { kind: 'fraction', fraction: holdOutFraction },
      splits: { train: await domain(splitA.train, splitB.train, 'trainB_smooth'), test: await domain(splitA.test, splitB.test, 'trainB_smooth') },
    };
  }

  const trainDir = folders.has('train') ? 'train' : '';
  const train = await readSplit(dir, trainDir, format);
  if (folders.has('test')) {
    return { format, heldOut: { kind: 'directory' }, splits: { train, test: await readSplit(dir, 'test', format) } };
  }
  const heldOut: HeldOut = { kind: 'fraction', fraction: holdOutFraction };
  if (train.kind === 'aligned') {
    const parts = splitByHash(train.files, (f) => path.posix.basename(f), holdOutFraction);
    return { format, heldOut, splits: { train: { kind: 'aligned', files: parts.train }, test: { kind: 'aligned', files: parts.test } } };
  }
  if (train.kind === 'paired') {
    const parts = splitByHash(train.pairs, (p) => stem(p.a), holdOutFraction);
    return { format, heldOut, splits: { train: { kind: 'paired', pairs: parts.train }, test: { kind: 'paired', pairs: parts.test } } };
  }
  throw new Error('unreachable: unaligned layouts are handled above');
}

async function readSplit(dir: string, splitDir: string, format: 'aligned' | 'paired'): Promise<SplitFiles> {
  if (format === 'aligned') return { kind: 'aligned', files: await listImages(dir, splitDir) };
  const a = await listImages(dir, path.posix.join(splitDir, 'A'));
  const b = await listImages(dir, path.posix.join(splitDir, 'B'));
  const byStem = new Map<string, string>();
  for (const file of b) {
    const key = stem(file);
    const other = byStem.get(key);
    if (other) throw new DatasetError('mismatched', path.join(dir, file), `${path.join(dir, file)} and ${other} have the same name; each pair needs a unique name.`);
    byStem.set(key, file);
  }
  const pairs: { a: string; b: string }[] = [];
  const seen = new Set<string>();
  for (const file of a) {
    const key = stem(file);
    const partner = byStem.get(key);
    if (seen.has(key)) throw new DatasetError('mismatched', path.join(dir, file), `${path.join(dir, file)} has the same name as another image in its folder; each pair needs a unique name.`);
    if (!partner) {
      throw new DatasetError('mismatched', path.join(dir, file), `${path.join(dir, file)} has no partner in ${path.join(dir, splitDir, 'B')} (paired images must have the same name).`);
    }
    seen.add(key);
    pairs.push({ a: file, b: partner });
  }
  for (const file of b) {
    if (!seen.has(stem(file))) {
      throw new DatasetError('mismatched', path.join(dir, file), `${path.join(dir, file)} has no partner in ${path.join(dir, splitDir, 'A')} (paired images must have the same name).`);
    }
  }
  return { kind: 'paired', pairs };
}

/**
 * The file in `smoothFolder` of the same name as each B image, keyed by the B path. Fails
 * when one is missing; a copy whose B image is gone is not part of the dataset.
 */
async function smoothedCopies(dir: string, bFiles: readonly string[], smoothFolder: string): Promise<Record<string, string>> {
  const present = new Set(await listImages(dir, smoothFolder));
  const copies: Record<string, string> = {};
  for (const file of bFiles) {
    const copy = `${smoothFolder}/${path.posix.basename(file)}`;
    if (!present.has(copy)) {
      throw new DatasetError('mismatched', path.join(dir, file), `${path.join(dir, file)} has no edge-smoothed copy ${path.join(dir, copy)} (every B image needs one once ${smoothFolder}/ exists).`);
    }
    copies[file] = copy;
  }
  return copies;
}

/** Fails, naming the folder, when either side of the training split has no images. */
export async function requireTrainingImages(dir: string, layout: DatasetLayout): Promise<void> {
  const counts = splitCounts(layout.splits.train);
  if (counts.a > 0 && counts.b > 0) return;
  let folder: string;
  if (layout.format === 'unaligned') folder = counts.a === 0 ? 'trainA' : 'trainB';
  else {
    const trainDir = (await subfolders(dir)).has('train') ? 'train' : '';
    folder = layout.format === 'paired' ? path.join(trainDir, 'A') : trainDir;
  }
  const where = path.join(dir, folder);
  throw new DatasetError('empty', where, `${where} has no training images.`);
}

/** Image files directly in `folder` (relative to `dir`), sorted; none when it does not exist. */
async function listImages(dir: string, folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(path.join(dir, folder), { withFileTypes: true })).filter((e) => e.isFile() && isImageFile(e.name)).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.sort().map((name) => (folder ? `${folder}/${name}` : name));
}

async function subfolders(dir: string): Promise<Set<string>> {
  try {
    return new Set((await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError('missing', dir, `The dataset directory ${dir} does not exist.`);
    throw err;
  }
}

export function stem(file: string): string {
  const base = path.posix.basename(file);
  const ext = path.posix.extname(base);
  return ext ? base.slice(0, -ext.length) : base;
}

/**
 * Holds out the items whose name hash falls under `fraction`. With two or more items and
 * a positive fraction, at least one is held out and at least one kept for training.
 */
function splitByHash<T>(items: readonly T[], key: (item: T) => string, fraction: number): { train: T[]; test: T[] } {
  const scored = items.map((item) => ({ item, score: deriveSeed('held-out', key(item)) / 2 ** 32 }));
  const test = new Set(scored.filter((s) => s.score < fraction).map((s) => s.item));
  if (items.length >= 2 && fraction > 0) {
    const byScore = [...scored].sort((x, y) => x.score - y.score);
    if (test.size === 0) test.add((byScore[0] as (typeof scored)[number]).item);
    if (test.size === items.length) test.delete((byScore[byScore.length - 1] as (typeof scored)[number]).item);
  }
  return { train: items.filter((item) => !test.has(item)), test: items.filter((item) => test.has(item)) };
}
