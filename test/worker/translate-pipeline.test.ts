import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Config } from '../../shared/config.js';
import { UserError } from '../../shared/errors.js';
import { decodeImage, letterbox, outputDimensions, unletterbox } from '../../shared/image/codec.js';
import { pixelsToTensor, tensorToPixels } from '../../shared/image/tensor.js';
import { loadLayersModel, saveLayersModel } from '../../shared/models/layers-model-io.js';
import { ModelAnnouncer } from '../../shared/models/model-announcer.js';
import type { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import type { TranslateResult } from '../../shared/queue/contracts.js';
import type { TranslateWorkerHandle } from '../../worker/translate-worker.js';
import { animatedGif, cmykJpeg, jpegWithExifRotation, makePhoto, png16WithAlpha, pngClaiming, textFile, truncatedJpeg } from '../helpers/images.js';
import { testConfig, testProducer, testWorker, type TestProducer } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { buildTinyGenerator, tinyModelStore } from '../helpers/tiny-model.js';

const MODEL_SIZE = 64;

describe('translate pipeline through a real Redis and BullMQ worker', () => {
  let redis: Awaited<ReturnType<typeof startTestRedis>>;
  let config: Config;
  let store: DirectoryModelStore;
  let worker: TranslateWorkerHandle;
  let producer: TestProducer;

  before(async () => {
    await tf.setBackend('cpu');
    redis = await startTestRedis();
    ({ store } = await tinyModelStore(['sketch', 'toon'], MODEL_SIZE));
    config = testConfig({ MAX_INPUT_PIXELS: String(50_000_000), JOB_ATTEMPTS: '3' });
    worker = await testWorker(redis.url, config, store, 0);
    producer = await testProducer(redis.url, config);
  });

  after(async () => {
    await producer.close();
    await worker.close();
    await redis.stop();
  });

  async function run(bytes: Buffer, options: { style?: string; outputSize?: number } = {}): Promise<{ result: TranslateResult; output: Buffer }> {
    const id = await producer.client.submit(bytes, { platform: 'cli', ...options });
    const result = await producer.client.wait(id, undefined, 60_000);
    return { result, output: await producer.client.takeOutput(result) };
  }

  async function refusal(bytes: Buffer): Promise<{ error: UserError; attempts: number }> {
    const id = await producer.client.submit(bytes, { platform: 'cli' });
    const error = await producer.client.wait(id, undefined, 60_000).then(
      () => assert.fail('expected the job to be refused'),
      (err: unknown) => err,
    );
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    const job = await producer.queue.getJob(id);
    return { error, attempts: job?.attemptsMade ?? -1 };
  }

  it('styles an EXIF-rotated JPEG: upright, same aspect, requested size, pixels equal the model run directly', async () => {
    // 120×60 stored pixels with orientation 6 (rotate 90° clockwise) display as 60×120.
    const input = await jpegWithExifRotation(120, 60, 6);
    const { result, output } = await run(input, { style: 'sketch', outputSize: 90 });
    assert.equal(result.style, 'sketch');
    assert.deepEqual([result.width, result.height], [45, 90]);
    const decodedOut = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([decodedOut.info.width, decodedOut.info.height, decodedOut.info.channels], [45, 90, 3]);

    const { model, meta } = await loadLayersModel(store, 'sketch', (await store.current('sketch'))!);
    const image = await decodeImage(input, { maxBytes: 1e8, maxPixels: 1e8 });
    assert.deepEqual([image.width, image.height], [60, 120], 'the codec applies the EXIF rotation');
    const { pixels, box } = await letterbox(image, meta.inputSize);
    const prediction = tf.tidy(() => model.predict(pixelsToTensor([pixels], { width: meta.inputSize, height: meta.inputSize }, meta.valueRange)) as tf.Tensor4D);
    const [styled] = await tensorToPixels(prediction, meta.valueRange);
    prediction.dispose();
    model.dispose();
    const dims = outputDimensions(image.width, image.height, 90, config.MAX_OUTPUT_SIDE);
    const expected = await unletterbox(styled!, box, dims.width, dims.height);
    let maxDiff = 0;
    for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(expected[i]! - decodedOut.data[i]!));
    assert.ok(maxDiff <= 1, `pixels differ by up to ${maxDiff}/255`);
    // The model really changed the image: the output is not the input resized.
    const inputResized = await sharp(input).rotate().resize(45, 90, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    let diffFromInput = 0;
    for (let i = 0; i < inputResized.length; i++) diffFromInput += Math.abs(inputResized[i]! - decodedOut.data[i]!);
    assert.ok(diffFromInput / inputResized.length > 10, 'output differs from the input');
  });

  it('refuses zero bytes, a text file named .jpg, a truncated JPEG and a 30000×30000 PNG, each with its own error, without retrying', async () => {
    const cases: [string, Buffer, UserError['code']][] = [
      ['zero bytes', Buffer.alloc(0), 'empty_input'],
      ['text file', textFile(), 'not_an_image'],
      ['truncated JPEG', await truncatedJpeg(), 'corrupt_image'],
      ['30000×30000 PNG', pngClaiming(30000, 30000), 'image_too_large'],
    ];
    for (const [name, bytes, code] of cases) {
      const { error, attempts } = await refusal(bytes);
      assert.equal(error.code, code, `${name}: ${error.message}`);
      assert.ok(error.message.length > 10, `${name} has a message for the user`);
      assert.equal(attempts, 1, `${name} is not retried`);
      // The worker stays up and serves the next job.
      const next = await run(await makePhoto(48, 32), { style: 'toon' });
      assert.equal(next.result.style, 'toon');
    }
  });

  it('processes an animated GIF (first frame), a CMYK JPEG and a 16-bit PNG with alpha', async () => {
    for (const [name, bytes] of [
      ['animated GIF', await animatedGif()],
      ['CMYK JPEG', await cmykJpeg()],
      ['16-bit PNG with alpha', await png16WithAlpha()],
    ] as const) {
      const { result, output } = await run(bytes);
      const meta = await sharp(output).metadata();
      assert.equal(meta.format, 'png', name);
      assert.equal(meta.width, result.width, name);
      assert.ok(result.width > 0 && result.height > 0, name);
    }
  });

  it('uses the default style when none is named, falls back for anime without a model, refuses unknown styles', async () => {
    const photo = await makePhoto(40, 40);
    assert.equal((await run(photo)).result.style, 'sketch');
    const anime = await run(photo, { style: 'anime' });
    assert.equal(anime.result.style, 'sketch');
    assert.equal(anime.result.requestedStyle, 'anime');
    const id = await producer.client.submit(photo, { platform: 'cli', style: 'watercolour' });
    await assert.rejects(producer.client.wait(id), (err: unknown) => err instanceof UserError && err.code === 'unknown_style');
  });

  it('reloads a style when a new version is promoted and announced', async () => {
    const photo = await makePhoto(40, 40);
    const before = (await run(photo, { style: 'toon' })).result.modelVersion;
    const model = buildTinyGenerator(MODEL_SIZE, 7);
    const meta = await saveLayersModel(store, model, { style: 'toon', architecture: 'test-tiny', inputSize: MODEL_SIZE });
    model.dispose();
    await store.promote('toon', meta.version);
    await new ModelAnnouncer(producer.redis, config.QUEUE_PREFIX).announce({ style: 'toon', version: meta.version });
    const afterPromotion = (await run(photo, { style: 'toon' })).result.modelVersion;
    assert.notEqual(afterPromotion, before);
    assert.equal(afterPromotion, meta.version);
  });

  it('keeps the tensor count flat over 50 jobs', async () => {
    const photo = await makePhoto(64, 48);
    await run(photo, { style: 'sketch' });
    const afterWarmUp = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) await run(photo, { style: i % 2 ? 'sketch' : 'toon' });
    assert.equal(tf.memory().numTensors, afterWarmUp);
  });

  it('serves /healthz and Prometheus /metrics with job counts', async () => {
    const port = worker.health?.port;
    assert.ok(port);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /animebot_jobs_completed_total\{style="sketch"\} \d+/);
    assert.match(metrics, /animebot_jobs_failed_total\{reason="not_an_image"\} 1/);
    assert.match(metrics, /animebot_queue_depth\{state="waiting"\} 0/);
    assert.match(metrics, /animebot_backend_info\{backend="cpu"\} 1/);
  });
});
