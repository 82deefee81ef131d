import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { letterbox, unletterbox } from '../../shared/image/codec.js';
import { pixelsToTensor, tensorToPixels } from '../../shared/image/tensor.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { loadLayersModel } from '../../shared/models/layers-model-io.js';
import type { TranslateWorkerHandle } from '../../worker/translate-worker.js';
import { makePhoto, photoPixels } from '../helpers/images.js';
import { testConfig, testProducer, testWorker } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { tinyModelStore } from '../helpers/tiny-model.js';

/*
 * The worker serves a fully convolutional generator at the photo's own resolution: here the
 * shipped sketch model (pix2pix-unetpp, U-Net++ of depth 4: sides multiples of 16), whose
 * meta records `inputMultiple` 16.
 */

const shippedModels = path.resolve(import.meta.dirname, '../../models');

interface Styled {
  width: number;
  height: number;
  pixels: Buffer;
}

function maxDifference(a: Buffer, b: Buffer): number {
  assert.equal(a.length, b.length, 'same number of samples');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('native-resolution serving through a real Redis and BullMQ worker', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let store: DirectoryModelStore;

  before(async () => {
    await tf.setBackend('cpu');
    redis = await startTestRedis();
    // A fresh store with the shipped sketch model as it is on disk.
    ({ store } = await tinyModelStore([]));
    const version = (await new DirectoryModelStore(shippedModels).current('sketch'))!;
    await cp(path.join(shippedModels, 'sketch', version), path.join(store.root, 'sketch', version), { recursive: true });
    await store.promote('sketch', version);
  });

  after(async () => {
    await redis.stop();
  });

  /** A worker with these settings; `run` submits photos (PNG, photoPixels) of these sizes at once and returns each styled image. */
  async function withWorker<T>(
    env: Record<string, string>,
    body: (run: (sizes: readonly (readonly [number, number])[]) => Promise<Styled[]>, worker: TranslateWorkerHandle) => Promise<T>,
  ): Promise<T> {
    const config = testConfig(env);
    const worker = await testWorker(redis.url, config, store);
    const producer = await testProducer(redis.url, config);
    const run = async (sizes: readonly (readonly [number, number])[]) => {
      const photos = await Promise.all(sizes.map(([width, height]) => makePhoto(width, height, 'png')));
      const ids = await Promise.all(photos.map((bytes) => producer.client.submit(bytes, { platform: 'cli', style: 'sketch' })));
      return Promise.all(
        ids.map(async (id) => {
          const result = await producer.client.wait(id, undefined, 120_000);
          const { data, info } = await sharp(await producer.client.takeOutput(result))
            .raw()
            .toBuffer({ resolveWithObject: true });
          assert.deepEqual([info.width, info.height], [result.width, result.height]);
          return { width: info.width, height: info.height, pixels: data };
        }),
      );
    };
    try {
      return await body(run, worker);
    } finally {
      await producer.close();
      await worker.close();
    }
  }

  /**
   * The sketch model run here without the worker: on `pixels` (width × height raw RGB)
   * mirror-padded on the right and bottom to multiples of 16 (tf's 'symmetric' mirror, the
   * edge repeated), cropped back; raw RGB width × height.
   */
  async function directlyAtOwnSize(pixels: Buffer, width: number, height: number): Promise<Buffer> {
    const { model, meta } = await loadLayersModel(store, 'sketch', (await store.current('sketch'))!);
    try {
      const pad = (side: number) => Math.ceil(side / 16) * 16 - side;
      const output = tf.tidy(() => {
        const image = pixelsToTensor([pixels], { width, height }, meta.valueRange);
        const padded = tf.mirrorPad(
          image,
          [
            [0, 0],
            [0, pad(height)],
            [0, pad(width)],
            [0, 0],
          ],
          'symmetric',
        );
        return (model.predict(padded) as tf.Tensor4D).slice([0, 0, 0, 0], [1, height, width, 3]);
      });
      const [styled] = await tensorToPixels(output, meta.valueRange);
      output.dispose();
      return styled!;
    } finally {
      model.dispose();
    }
  }

  it('styles a 300×170 photo at its own size and aspect, computed at native resolution, not through a 256 px letterbox', async () => {
    const [styled] = await withWorker({}, (run) => run([[300, 170]]));
    assert.deepEqual([styled!.width, styled!.height], [300, 170]);
    const direct = await directlyAtOwnSize(photoPixels(300, 170), 300, 170);
    const diff = maxDifference(styled!.pixels, direct);
    assert.ok(diff <= 1, `the worker's pixels differ from the model run on the padded photo by up to ${diff}/255`);

    // What the letterbox path made of it (256 px square, then upscaled) is visibly different.
    const { model, meta } = await loadLayersModel(store, 'sketch', (await store.current('sketch'))!);
    const { pixels, box } = await letterbox({ data: photoPixels(300, 170), width: 300, height: 170, sourceFormat: 'png' }, meta.inputSize);
    const prediction = tf.tidy(() => model.predict(pixelsToTensor([pixels], { width: meta.inputSize, height: meta.inputSize }, meta.valueRange)) as tf.Tensor4D);
    const [boxed] = await tensorToPixels(prediction, meta.valueRange);
    prediction.dispose();
    model.dispose();
    const letterboxed = await unletterbox(boxed!, box, 300, 170);
    assert.ok(maxDifference(styled!.pixels, letterboxed) > 20, 'native resolution changes the result');
  });

  it('caps the longest side at MAX_INFERENCE_SIDE, then resizes to the output size', async () => {
    // 1200×200 runs at 768×128 (a multiple of 16 already), and comes back at MAX_OUTPUT_SIDE 1024.
    const [styled] = await withWorker({ MAX_INFERENCE_SIDE: '768', MAX_OUTPUT_SIDE: '1024' }, (run) => run([[1200, 200]]));
    assert.deepEqual([styled!.width, styled!.height], [1024, 171]);
    const capped = await sharp(photoPixels(1200, 200), { raw: { width: 1200, height: 200, channels: 3 } })
      .resize(768, 128, { fit: 'fill' })
      .raw()
      .toBuffer();
    const direct = await directlyAtOwnSize(capped, 768, 128);
    const expected = await sharp(direct, { raw: { width: 768, height: 128, channels: 3 } })
      .resize(1024, 171, { fit: 'fill' })
      .raw()
      .toBuffer();
    const diff = maxDifference(styled!.pixels, expected);
    assert.ok(diff <= 1, `pixels differ from the model run at 768×128 and resized by up to ${diff}/255`);
  });

  it('batches only images of the same padded size, with the same pixels as without batching, and keeps the tensor count flat', async () => {
    // 60×40 and 64×48 both pad to 64×48; 40×60 pads to 48×64; 100×30 to 112×32.
    const sizes = [
      [60, 40],
      [64, 48],
      [40, 60],
      [100, 30],
      [60, 40],
      [40, 60],
    ] as const;
    const unbatched = await withWorker({ WORKER_MAX_BATCH: '1' }, (run) => run(sizes));
    await withWorker({ WORKER_MAX_BATCH: '4', WORKER_BATCH_WAIT_MS: '500' }, async (run, worker) => {
      const batched = await run(sizes);
      const metric = await worker.metrics.registry.getSingleMetricAsString('animebot_predict_batch_images');
      const read = (pattern: RegExp) => Number(pattern.exec(metric)?.[1] ?? Number.NaN);
      const predicts = read(/^animebot_predict_batch_images_count (\d+)$/m);
      assert.equal(read(/^animebot_predict_batch_images_sum (\d+)$/m), 6);
      assert.ok(predicts >= 3, `three padded sizes need three predicts at least (${predicts})`);
      assert.ok(read(/^animebot_predict_batch_images_bucket\{le="1"\} (\d+)$/m) < predicts, 'some predict took more than one image');
      for (const [index, [w, h]] of sizes.entries()) {
        assert.deepEqual([batched[index]!.width, batched[index]!.height], [w, h], `job ${index}: own size`);
        const diff = maxDifference(batched[index]!.pixels, unbatched[index]!.pixels);
        assert.ok(diff <= 1, `job ${index} (${w}×${h}): batched pixels differ by up to ${diff}/255`);
      }
      const afterWarmUp = tf.memory().numTensors;
      for (let round = 0; round < 4; round++) await run(sizes);
      for (const size of [
        [33, 17],
        [17, 33],
        [80, 80],
        [1, 5],
      ] as const)
        await run([size]);
      assert.equal(tf.memory().numTensors, afterWarmUp, 'no tensor left behind by jobs of different sizes');
    });
  });
});
