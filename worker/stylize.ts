import { letterbox, unletterbox, type DecodedImage } from '../shared/image/codec.js';
import type { LoadedModel } from './model-cache.js';
import type { BatchTicket } from './predict-batcher.js';

/**
 * Runs a generator on one decoded image: letterbox to the model's square input, predict
 * (batched with other jobs' images through the job's `ticket`), crop the padding away and resize to the
 * output size. Returns raw RGB.
 */
export async function stylize(
  loaded: LoadedModel,
  image: DecodedImage,
  output: { width: number; height: number },
  ticket: BatchTicket,
): Promise<Buffer> {
  const { pixels, box } = await letterbox(image, loaded.meta.inputSize);
  const styled = await ticket.predict(loaded, pixels);
  return unletterbox(styled, box, output.width, output.height);
}
