import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import { DatasetError } from './dataset-error.js';
import {
  datasetFormats,
  defaultHoldOutFraction,
  detectFormat,
  layoutFiles,
  readLayout,
  requireTrainingImages,
  splitCounts,
  splitNames,
  type DatasetFormat,
  type DatasetLayout,
} from './dataset-layout.js';
import { mapConcurrent } from './map-concurrent.js';

export const manifestFileName = 'manifest.json';

const counts = z.object({ a: z.number().int().min(0), b: z.number().int().min(0) });
const fileEntry = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().min(0),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
});
export type ManifestEntry = z.infer<typeof fileEntry>;

/**
 * manifest.json: what a dataset holds, so that a training run can tell whether the data
 * it trains on is the data that was checked. `counts` are examples per split and side (for
 * aligned and paired data both sides count the pairs); `files` has every image's checksum
 * and decoded size, keyed by its path relative to the dataset directory.
 */
export const manifestSchema = z.object({
  version: z.literal(1),
  format: z.enum(datasetFormats),
  heldOut: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('directory') }),
    z.object({ kind: z.literal('fraction'), fraction: z.number().min(0).max(1) }),
  ]),
  counts: z.object({ train: counts, test: counts }),
  files: z.record(z.string(), fileEntry),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface BuildManifestOptions {
  /** Defaults to the existing manifest's format, else to what the folders suggest. */
  format?: DatasetFormat;
  /** Fraction held out when the dataset has no test folder (default: existing manifest's, else 0.1). */
  holdOutFraction?: number;
}

/**
 * Scans a dataset directory, decodes every image (so broken files are found now, not
 * mid-training), checks that paired images have the same size, and writes manifest.json.
 */
export async function buildManifest(dir: string, options: BuildManifestOptions = {}): Promise<Manifest> {
  const previous = await readManifest(dir).catch(() => undefined);
  const format = options.format ?? previous?.format ?? (await detectFormat(dir));
  const fraction = options.holdOutFraction ?? (previous?.heldOut.kind === 'fraction' ? previous.heldOut.fraction : defaultHoldOutFraction);
  const layout = await readLayout(dir, format, fraction);
  await requireTrainingImages(dir, layout);
  const files = layoutFiles(layout);
  const entries = await mapConcurrent(files, 8, async (file) => [file, await describeImage(path.join(dir, file), await readImageFile(dir, file))] as const);
  const manifest = manifestFromLayout(layout, Object.fromEntries(entries));
  checkPairSizes(dir, layout, manifest);
  await writeManifest(dir, manifest);
  return manifest;
}

export function manifestFromLayout(layout: DatasetLayout, files: Record<string, ManifestEntry>): Manifest {
  const sorted = Object.fromEntries(Object.entries(files).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return {
    version: 1,
    format: layout.format,
    heldOut: layout.heldOut,
    counts: { train: splitCounts(layout.splits.train), test: splitCounts(layout.splits.test) },
    files: sorted,
  };
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(path.join(dir, manifestFileName), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, manifestFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatasetError('missing', file, `${file} does not exist: the dataset has no manifest listing its images yet.`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DatasetError('bad_manifest', file, `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DatasetError('bad_manifest', file, `${file} does not follow the manifest schema: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/**
 * Opens a dataset for training: its manifest must list exactly the images on disk, each
 * with the recorded checksum. Returns the manifest and where each split's files are.
 */
export async function verifyDataset(dir: string): Promise<{ manifest: Manifest; layout: DatasetLayout }> {
  const manifest = await readManifest(dir);
  const layout = await readLayout(dir, manifest.format, manifest.heldOut.kind === 'fraction' ? manifest.heldOut.fraction : defaultHoldOutFraction);
  const onDisk = new Set(layoutFiles(layout));
  for (const file of onDisk) {
    if (!(file in manifest.files)) {
      throw new DatasetError('unlisted', path.join(dir, file), `${path.join(dir, file)} is not in ${manifestFileName}; rebuild the manifest after adding files.`);
    }
  }
  for (const file of Object.keys(manifest.files)) {
    if (!onDisk.has(file)) throw new DatasetError('missing', path.join(dir, file), `${path.join(dir, file)} is listed in ${manifestFileName} but is not in the dataset.`);
  }
  await mapConcurrent([...onDisk], 8, async (file) => {
    const bytes = await readImageFile(dir, file);
    const expected = manifest.files[file]?.sha256;
    if (sha256(bytes) !== expected) {
      throw new DatasetError('checksum_mismatch', path.join(dir, file), `${path.join(dir, file)} has changed since ${manifestFileName} was written (checksum mismatch).`);
    }
  });
  for (const split of splitNames) {
    const actual = splitCounts(layout.splits[split]);
    const recorded = manifest.counts[split];
    if (actual.a !== recorded.a || actual.b !== recorded.b) {
      throw new DatasetError('bad_manifest', path.join(dir, manifestFileName), `${path.join(dir, manifestFileName)} records other ${split} counts than the files on disk; rebuild it.`);
    }
  }
  return { manifest, layout };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Decodes an image fully (a header alone does not reveal a truncated file) and describes it. */
async function describeImage(file: string, bytes: Uint8Array): Promise<ManifestEntry> {
  try {
    const { info } = await sharp(bytes, { failOn: 'warning' }).autoOrient().raw().toBuffer({ resolveWithObject: true });
    return { sha256: sha256(bytes), bytes: bytes.length, width: info.width, height: info.height };
  } catch (err) {
    throw new DatasetError('corrupt', file, `${file} could not be decoded as an image (${(err as Error).message}).`);
  }
}

async function readImageFile(dir: string, file: string): Promise<Uint8Array> {
  try {
    return await readFile(path.join(dir, file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError('missing', path.join(dir, file), `${path.join(dir, file)} has disappeared.`);
    throw err;
  }
}

/** pix2pix crops A and B at the same place, which only lines up when they have the same size. */
function checkPairSizes(dir: string, layout: DatasetLayout, manifest: Manifest): void {
  for (const split of splitNames) {
    const files = layout.splits[split];
    if (files.kind !== 'paired') continue;
    for (const { a, b } of files.pairs) {
      const ea = manifest.files[a];
      const eb = manifest.files[b];
      if (ea && eb && (ea.width !== eb.width || ea.height !== eb.height)) {
        throw new DatasetError(
          'mismatched',
          path.join(dir, b),
          `${path.join(dir, b)} is ${eb.width}×${eb.height} but its partner ${path.join(dir, a)} is ${ea.width}×${ea.height}; paired images must have the same size.`,
        );
      }
    }
  }
}
