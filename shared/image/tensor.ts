import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { assertRawRgb, rgbChannels } from './raw-rgb.js';

const valueRangeSchema = z.tuple([z.number(), z.number()]).refine(([low, high]) => low < high, 'valueRange must be [low, high] with low < high');

const sideSchema = z.number().int().positive();

/** Stacks raw RGB width×height buffers into an NHWC float32 batch scaled to valueRange (e.g. [-1,1]). Caller disposes. */
export function pixelsToTensor(pixels: Buffer[], size: { width: number; height: number }, valueRange: readonly [number, number]): tf.Tensor4D {
  const [low, high] = valueRangeSchema.parse(valueRange);
  const width = sideSchema.parse(size.width);
  const height = sideSchema.parse(size.height);
  if (pixels.length === 0) throw new RangeError('pixelsToTensor needs at least one image');
  const perImage = width * height * rgbChannels;
  const values = new Float32Array(pixels.length * perImage);
  const scale = (high - low) / 255;
  pixels.forEach((image, index) => {
    assertRawRgb(image, width, height);
    const offset = index * perImage;
    for (let i = 0; i < perImage; i++) values[offset + i] = image[i]! * scale + low;
  });
  // Scaling in plain JS builds the batch as one tensor, with no intermediates to dispose.
  return tf.tensor4d(values, [pixels.length, height, width, rgbChannels]);
}

/** Inverse: clamps to valueRange, maps to 0..255 rounded, returns one raw RGB buffer per batch item; disposes nothing it didn't create. */
export async function tensorToPixels(batch: tf.Tensor4D, valueRange: readonly [number, number]): Promise<Buffer[]> {
  const [low, high] = valueRangeSchema.parse(valueRange);
  const [count, height, width, channels] = batch.shape;
  if (channels !== rgbChannels) throw new RangeError(`expected an NHWC batch with ${rgbChannels} channels, got shape [${batch.shape.join(', ')}]`);
  const values = await batch.data();
  const perImage = height * width * rgbChannels;
  const scale = 255 / (high - low);
  return Array.from({ length: count }, (_, index) => {
    const image = Buffer.alloc(perImage);
    const offset = index * perImage;
    for (let i = 0; i < perImage; i++) {
      const clamped = Math.min(high, Math.max(low, values[offset + i]!));
      image[i] = Math.round((clamped - low) * scale);
    }
    return image;
  });
}
