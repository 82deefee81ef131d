import * as tf from '@tensorflow/tfjs';
import { letterbox, unletterbox, type DecodedImage } from '../shared/image/codec.js';
import { pixelsToTensor, tensorToPixels } from '../shared/image/tensor.js';
import type { LoadedModel } from './model-cache.js';

/**
 * Runs a generator on one decoded image: letterbox to the model's square input, predict,
 * crop the padding away and resize to the output size. Returns raw RGB.
 */
export async function stylize(
  { model, meta }: LoadedModel,
  image: DecodedImage,
  output: { width: number; height: number },
): Promise<Buffer> {
  const { pixels, box } = await letterbox(image, meta.inputSize);
  const prediction = tf.tidy(() => {
    const input = pixelsToTensor([pixels], meta.inputSize, meta.valueRange);
    return model.predict(input) as tf.Tensor4D;
  });
  let styled: Buffer[];
  try {
    styled = await tensorToPixels(prediction, meta.valueRange);
  } finally {
    prediction.dispose();
  }
  return unletterbox(styled[0]!, box, output.width, output.height);
}
