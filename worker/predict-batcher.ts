import * as tf from '@tensorflow/tfjs';
import { pixelsToTensor, tensorToPixels } from '../shared/image/tensor.js';
import type { Logger } from '../shared/logger.js';
import type { LoadedModel } from './model-cache.js';

export interface PredictBatcherOptions {
  /** Most images in one predict; 1 predicts every image on its own, at once. */
  maxBatch: number;
  /** How long the first image of a batch waits for more before the predict runs. */
  waitMs: number;
  logger: Logger;
  onBatch?(images: number): void;
}

/** A model input: raw RGB width × height. */
export interface ModelInput {
  pixels: Buffer;
  width: number;
  height: number;
}

interface WaitingImage {
  pixels: Buffer;
  resolve(styled: Buffer): void;
  reject(err: unknown): void;
}

interface OpenBatch {
  loaded: LoadedModel;
  size: { width: number; height: number };
  images: WaitingImage[];
  timer?: NodeJS.Timeout;
}

/** A job's place in the batcher, taken when the job starts: its one predict, or leaving without one. */
export interface BatchTicket {
  /** The model's output for the job's model input: raw RGB of the input's size. */
  predict(loaded: LoadedModel, input: ModelInput): Promise<Buffer>;
  /** The job will not predict (it failed before, or it is done); harmless after `predict`. */
  leave(): void;
}

/**
 * Dynamic batching: model inputs of jobs running at once in this worker that use the same
 * model (style, version) and have the same size (letterboxed: the model's square; native
 * resolution: the padded size) go through one predict of shape [n, h, w, 3]. A
 * batch runs when it holds maxBatch images, when no other job of this worker is still on its
 * way to a predict (so a lone job never waits), or waitMs after its first image came in. The
 * generators compute every sample on its own (convolutions, instance norm, BatchNorm with its
 * running statistics in inference), so an image's result does not depend on its batch mates.
 */
export class PredictBatcher {
  private readonly open = new Map<string, OpenBatch>();
  /** Jobs that hold a ticket and have not predicted or left yet. */
  private onTheWay = 0;

  constructor(private readonly options: PredictBatcherOptions) {}

  /** Call when a job starts; batches formed meanwhile wait (up to waitMs) for its image. */
  ticket(): BatchTicket {
    this.onTheWay++;
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      this.onTheWay--;
    };
    return {
      predict: (loaded, input) => {
        release();
        const styled = this.enqueue(loaded, input);
        if (this.onTheWay === 0) this.closeAll();
        return styled;
      },
      leave: () => {
        if (!holding) return;
        release();
        if (this.onTheWay === 0) this.closeAll();
      },
    };
  }

  private enqueue(loaded: LoadedModel, { pixels, width, height }: ModelInput): Promise<Buffer> {
    const { style, version } = loaded.meta;
    const key = `${style}/${version}@${width}x${height}`;
    return new Promise((resolve, reject) => {
      const batch = this.open.get(key) ?? { loaded, size: { width, height }, images: [] };
      this.open.set(key, batch);
      batch.images.push({ pixels, resolve, reject });
      if (batch.images.length >= this.options.maxBatch) this.close(key, batch);
      else batch.timer ??= setTimeout(() => this.close(key, batch), this.options.waitMs);
    });
  }

  private closeAll(): void {
    for (const [key, batch] of [...this.open]) this.close(key, batch);
  }

  /** Takes the batch out of the open ones, so that later images start a new batch, and runs it. */
  private close(key: string, batch: OpenBatch): void {
    clearTimeout(batch.timer);
    this.open.delete(key);
    void this.run(batch);
  }

  private async run({ loaded, size, images }: OpenBatch): Promise<void> {
    const { meta } = loaded;
    try {
      const started = performance.now();
      const batch = pixelsToTensor(
        images.map((image) => image.pixels),
        size,
        meta.valueRange,
      );
      let prediction: tf.Tensor4D;
      try {
        prediction = await loaded.predict(batch);
      } finally {
        batch.dispose();
      }
      let styled: Buffer[];
      try {
        styled = await tensorToPixels(prediction, meta.valueRange);
      } finally {
        prediction.dispose();
      }
      this.options.onBatch?.(images.length);
      this.options.logger.debug(
        { style: meta.style, version: meta.version, runtime: loaded.runtime, images: images.length, width: size.width, height: size.height, ms: Math.round(performance.now() - started) },
        'predicted a batch',
      );
      images.forEach((image, index) => image.resolve(styled[index]!));
    } catch (err) {
      for (const image of images) image.reject(err);
    }
  }
}
