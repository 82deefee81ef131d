import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { onnxSessionOptions } from '../onnx-session.js';
import { type Range } from './conv-node.js';
import { exportLayersModelToOnnx } from './export-layers-model.js';

/*
 * int8 ONNX export with a quality guard: calibrate every conv's input and output range on
 * calibration images (a probe graph: the float graph with those tensors as extra outputs),
 * write the int8 graph with them (conv-node.ts), then compare its output with the float32
 * graph's on held-out images. The caller keeps the int8 model only when the PSNR is at least
 * `int8MinPsnrDb`.
 */

/** The least PSNR of the int8 output against the float32 output (peak: the value range) for an int8 model to be kept. */
export const int8MinPsnrDb = 40;

/** NHWC float32 images in the model's value range, all of one size. */
export interface ImageBatch {
  data: Float32Array;
  dims: [number, number, number, number];
}

export interface Int8Export {
  bytes: Uint8Array;
  /** PSNR of the int8 output against the float32 output over the held-out images, dB; the worst image's too. */
  psnrDb: number;
  worstPsnrDb: number;
  heldOutImages: number;
}

const sessionOptions = (threads: number) => onnxSessionOptions(['cpu'], threads);

/** The share of a tensor's values left outside its range, at each end: rare extremes would coarsen every other value's step. */
const clippedShare = 1e-4;

/** The [clippedShare, 1 − clippedShare] quantiles of `values` (of an even sample of at most 2¹⁶ of them). */
function clippedRange(values: Float32Array): Range {
  const step = Math.max(1, Math.floor(values.length / 65536));
  const sample = Float32Array.from({ length: Math.floor(values.length / step) }, (_, i) => values[i * step]!).sort();
  const at = (q: number) => sample[Math.min(sample.length - 1, Math.max(0, Math.round(q * (sample.length - 1))))]!;
  return { min: at(clippedShare), max: at(1 - clippedShare) };
}

/** Min and max of each probe output over the calibration images, one image at a time. */
async function calibrate(probeBytes: Uint8Array, images: ImageBatch[], threads: number): Promise<Map<string, Range>> {
  const session = await ort.InferenceSession.create(probeBytes, sessionOptions(threads));
  const ranges = new Map<string, Range>();
  try {
    for (const image of images) {
      const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', image.data, image.dims) });
      for (const name of session.outputNames) {
        if (!name.includes(':')) continue; // the model's own output
        const { min, max } = clippedRange(outputs[name]!.data as Float32Array);
        const seen = ranges.get(name);
        ranges.set(name, { min: Math.min(min, seen?.min ?? Infinity), max: Math.max(max, seen?.max ?? -Infinity) });
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}

async function outputsOf(bytes: Uint8Array, images: ImageBatch[], threads: number): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions(threads));
  try {
    const results: Float32Array[] = [];
    for (const image of images) {
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', image.data, image.dims) });
      results.push(out[session.outputNames[0]!]!.data as Float32Array);
    }
    return results;
  } finally {
    await session.release();
  }
}

/** PSNR of `actual` against `expected`, values in a range of width `peak`. */
export function psnrDb(expected: Float32Array, actual: Float32Array, peak: number): number {
  let squared = 0;
  for (let i = 0; i < expected.length; i++) squared += (expected[i]! - actual[i]!) ** 2;
  const mse = squared / expected.length;
  return mse === 0 ? Infinity : 10 * Math.log10((peak * peak) / mse);
}

/**
 * The int8 export of `model` and how close it stays to the float32 export on `heldOut`
 * (`valueRange`: the model's output range, whose width is the PSNR's peak).
 */
export async function exportInt8(
  model: tf.LayersModel,
  { metadata = {}, calibration, heldOut, valueRange, threads }: { metadata?: Record<string, string>; calibration: ImageBatch[]; heldOut: ImageBatch[]; valueRange: readonly [number, number]; threads: number },
): Promise<Int8Export> {
  if (calibration.length === 0 || heldOut.length === 0) throw new RangeError('int8 export needs calibration and held-out images');
  const ranges = await calibrate(exportLayersModelToOnnx(model, {}, { kind: 'probe' }).bytes, calibration, threads);
  const { bytes } = exportLayersModelToOnnx(model, { ...metadata, quantization: 'int8 (static QDQ, per-channel kernels)' }, { kind: 'int8', ranges });
  const float = await outputsOf(exportLayersModelToOnnx(model, metadata).bytes, heldOut, threads);
  const int8 = await outputsOf(bytes, heldOut, threads);
  const peak = valueRange[1] - valueRange[0];
  const perImage = float.map((expected, i) => psnrDb(expected, int8[i]!, peak));
  // Over all held-out pixels together (the mean squared error of all of them), and the worst image.
  const all = psnrDb(concat(float), concat(int8), peak);
  return { bytes, psnrDb: all, worstPsnrDb: Math.min(...perImage), heldOutImages: heldOut.length };
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
