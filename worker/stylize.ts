import { letterbox, padToMultiple, unletterbox, type DecodedImage } from '../shared/image/codec.js';
import type { LoadedModel } from './model-cache.js';
import type { BatchTicket } from './predict-batcher.js';

/**
 * Runs a generator on one decoded image and returns raw RGB of the output size. A fully
 * convolutional generator (`inputMultiple` set) runs at the image's own resolution, the
 * longest side capped at `maxInferenceSide`, padded to its multiple; any other is
 * letterboxed to its square input. Predicts (batched with other jobs' images of the same
 * input size through the job's `ticket`), crops the padding away and resizes to the output size.
 */
export async function stylize(loaded: LoadedModel, image: DecodedImage, output: { width: number; height: number }, ticket: BatchTicket, maxInferenceSide: number): Promise<Buffer> {
  const { pixels, box } = loaded.inputMultiple ? await padToMultiple(image, maxInferenceSide, loaded.inputMultiple) : await letterbox(image, loaded.meta.inputSize);
  const styled = await ticket.predict(loaded, { pixels, width: box.inputWidth, height: box.inputHeight });
  return unletterbox(styled, box, output.width, output.height);
}
