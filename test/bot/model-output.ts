import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../shared/config.js';
import { decodeImage, letterbox, outputDimensions, unletterbox } from '../../shared/image/codec.js';
import { sharp } from '../../shared/image/sharp.js';
import { pixelsToTensor, tensorToPixels } from '../../shared/image/tensor.js';
import { loadLayersModel } from '../../shared/models/layers-model-io.js';
import type { ModelStore } from '../../shared/models/model-store.js';

export interface RawImage {
  width: number;
  height: number;
  /** 8-bit RGB. */
  data: Buffer;
}

/**
 * What the current model of `style` makes of `input`, computed here in the test without
 * the queue or the worker: decode, letterbox to the model's size, predict, crop and resize
 * back to the size the worker answers with (the input's, up to MAX_OUTPUT_SIDE).
 */
export async function modelOutput(store: ModelStore, style: string, input: Buffer, config: Pick<Config, 'MAX_OUTPUT_SIDE'>): Promise<RawImage> {
  const version = await store.current(style);
  if (!version) throw new Error(`no current model for ${style}`);
  const { model, meta } = await loadLayersModel(store, style, version);
  try {
    const image = await decodeImage(input, { maxBytes: 1e8, maxPixels: 1e8 });
    const { pixels, box } = await letterbox(image, meta.inputSize);
    const prediction = tf.tidy(() => model.predict(pixelsToTensor([pixels], { width: meta.inputSize, height: meta.inputSize }, meta.valueRange)) as tf.Tensor4D);
    const [styled] = await tensorToPixels(prediction, meta.valueRange);
    prediction.dispose();
    const { width, height } = outputDimensions(image.width, image.height, undefined, config.MAX_OUTPUT_SIDE);
    return { width, height, data: await unletterbox(styled!, box, width, height) };
  } finally {
    model.dispose();
  }
}

/** Decodes an image file to 8-bit RGB. */
export async function decodeRgb(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The largest difference of any channel of any pixel (0-255); sizes must match. */
export function maxPixelDifference(a: RawImage, b: RawImage): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}
