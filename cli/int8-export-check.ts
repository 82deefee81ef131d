import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { LayersModel } from '@tensorflow/tfjs';
import { exportInt8, int8MinPsnrDb, type ImageBatch } from '../shared/models/onnx-export/int8-export.js';
import { onnxSessionOptions } from '../shared/models/onnx-session.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import { detectFormat, readLayout, type SplitFiles } from '../trainer/data/dataset-layout.js';
import { CliError } from './cli-error.js';

/*
 * `models export <style> [version] --int8`: the int8 export of a version, calibrated on photos
 * of its training set and checked on its held-out photos (the dataset its meta.json names, in
 * DATA_DIR), at the size it was trained at. It is kept only when it stays within
 * int8MinPsnrDb of the float32 export (over all those photos and on the worst one) and runs
 * clearly faster than it on this machine. ONNX Runtime's u8×s8 kernels are exact on CPUs with
 * VNNI (AVX-512 VNNI, AVX-VNNI); on older x86 ones they can saturate, so check where it serves.
 */

/** Calibration and held-out photos per check: enough for stable ranges and PSNR, few enough to take seconds. */
const calibrationPhotos = 16;
const heldOutPhotos = 8;
/** Timed forwards per graph, alternating float32 and int8 so that the machine's load hits both alike. */
const timedRuns = 10;
/** int8 must take at most this share of float32's time: a tie within the timing noise keeps float32. */
const requiredSpeedUp = 0.9;

export interface Int8Verdict {
  bytes: Uint8Array;
  kept: boolean;
  summary: string;
}

/** The model's input photos (A side) of a split; an aligned image holds its input in the left half. */
function inputPhotos(files: SplitFiles): { file: string; leftHalf: boolean }[] {
  switch (files.kind) {
    case 'aligned':
      return files.files.map((file) => ({ file, leftHalf: true }));
    case 'paired':
      return files.pairs.map(({ a }) => ({ file: a, leftHalf: false }));
    case 'unaligned':
      return files.a.map((file) => ({ file, leftHalf: false }));
  }
}

/** Evenly spread photos of the split, centre-cropped to size², in [-1, 1]. */
async function loadPhotos(dir: string, files: SplitFiles, count: number, size: number, valueRange: readonly [number, number]): Promise<ImageBatch[]> {
  const all = inputPhotos(files);
  const step = Math.max(1, Math.floor(all.length / count));
  const chosen = all.filter((_, i) => i % step === 0).slice(0, count);
  const [low, high] = valueRange;
  return Promise.all(
    chosen.map(async ({ file, leftHalf }) => {
      let image = sharp(path.join(dir, file)).autoOrient();
      if (leftHalf) {
        const { width, height } = await image.metadata();
        image = image.extract({ left: 0, top: 0, width: Math.floor(width / 2), height });
      }
      const raw = await image.resize(size, size, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
      return { data: Float32Array.from(raw, (v) => (v / 255) * (high - low) + low), dims: [1, size, size, 3] as [number, number, number, number] };
    }),
  );
}

/** Median ms per forward of each graph on `image`, the runs interleaved. */
async function timeBoth(graphs: Uint8Array[], image: ImageBatch, threads: number): Promise<number[]> {
  const sessions = await Promise.all(graphs.map((bytes) => ort.InferenceSession.create(bytes, onnxSessionOptions(['cpu'], threads))));
  try {
    const feeds = (s: ort.InferenceSession) => ({ [s.inputNames[0]!]: new ort.Tensor('float32', image.data, image.dims) });
    for (const s of sessions) await s.run(feeds(s));
    const times = sessions.map((): number[] => []);
    for (let run = 0; run < timedRuns; run++) {
      for (const [i, s] of sessions.entries()) {
        const started = performance.now();
        await s.run(feeds(s));
        times[i]!.push(performance.now() - started);
      }
    }
    return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

/** Calibration photos from a dataset's training split and held-out ones from its test split, size², in valueRange. */
export async function datasetPhotos(
  dir: string,
  size: number,
  valueRange: readonly [number, number],
  counts = { calibration: calibrationPhotos, heldOut: heldOutPhotos },
): Promise<{ calibration: ImageBatch[]; heldOut: ImageBatch[] }> {
  const layout = await readLayout(dir, await detectFormat(dir)).catch((err: unknown) => {
    throw new CliError(`int8 needs a dataset's photos in ${dir}: ${err instanceof Error ? err.message : String(err)}`, 2);
  });
  const calibration = await loadPhotos(dir, layout.splits.train, counts.calibration, size, valueRange);
  const heldOut = await loadPhotos(dir, layout.splits.test, counts.heldOut, size, valueRange);
  if (calibration.length === 0 || heldOut.length === 0) throw new CliError(`${dir} has no training or no held-out photos to calibrate and check int8 with`, 2);
  return { calibration, heldOut };
}

export async function checkInt8Export(model: LayersModel, meta: ModelMeta, float32: Uint8Array, dataDir: string, threads: number): Promise<Int8Verdict> {
  const dataset = meta.data.dataset;
  if (typeof dataset !== 'string')
    throw new CliError(`${meta.style}/${meta.version} does not name the dataset it was trained on, so there are no photos to calibrate and check int8 with`, 2);
  const size = meta.inputSize;
  const { calibration, heldOut } = await datasetPhotos(path.join(dataDir, dataset), size, meta.valueRange);
  process.stderr.write(`int8: calibrating on ${calibration.length} training photos, checking on ${heldOut.length} held-out ones (${size}²)…\n`);
  const int8 = await exportInt8(model, {
    metadata: { style: meta.style, version: meta.version, architecture: meta.architecture },
    calibration,
    heldOut,
    valueRange: meta.valueRange,
    threads,
  });
  process.stderr.write('int8: timing float32 and int8…\n');
  const [floatMs, int8Ms] = (await timeBoth([float32, int8.bytes], heldOut[0]!, threads)) as [number, number];
  const psnrOk = int8.psnrDb >= int8MinPsnrDb && int8.worstPsnrDb >= int8MinPsnrDb;
  const faster = int8Ms <= requiredSpeedUp * floatMs;
  const kept = psnrOk && faster;
  const reason = kept ? 'kept' : !psnrOk ? `not kept: below ${int8MinPsnrDb} dB` : `not kept: it takes more than ${Math.round(requiredSpeedUp * 100)}% of float32's time`;
  const summary =
    `int8 vs float32 on ${int8.heldOutImages} held-out photos: PSNR ${int8.psnrDb.toFixed(1)} dB (worst photo ${int8.worstPsnrDb.toFixed(1)} dB), ` +
    `${size}² forward ${int8Ms.toFixed(1)} ms vs ${floatMs.toFixed(1)} ms (median of ${timedRuns}, ${threads} thread${threads === 1 ? '' : 's'}) — ${reason}`;
  return { bytes: int8.bytes, kept, summary };
}
