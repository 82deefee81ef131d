import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import { ModelCache, type ServingOptions } from '../../worker/model-cache.js';
import { PredictBatcher } from '../../worker/predict-batcher.js';
import { makePhoto } from '../helpers/images.js';
import { quietLogger, testConfig, testProducer, testWorker } from '../helpers/pipeline.js';
import { startTestRedis } from '../helpers/redis.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';

/*
 * The worker's model cache with ONNX Runtime: a version with a model.onnx is served by it
 * (batched, at each image's own size) with the same pixels as tfjs gives; TF_BACKEND decides
 * (auto prefers ONNX, a tfjs backend's name turns it off, onnx requires it); through the queue,
 * the job result and /metrics name the runtime. The last test starts the worker's own tfjs
 * backend (wasm, TF_BACKEND=onnx), so it stays last.
 */

const logger = quietLogger(testConfig());
let root: string;
let store: DirectoryModelStore;
let version: string;

const serving = (onnx: ServingOptions['onnx']): ServingOptions => ({ onnx, threads: 1, tfjs: 'tfjs-backend-cpu' });

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'animebot-onnx-serving-'));
  store = new DirectoryModelStore(root);
  const model = buildTinyGenerator(null, 11, [8, 8]);
  ({ version } = await saveLayersModel(store, model, { style: 'toon', architecture: 'test-tiny', inputSize: 16, inputMultiple: 1 }));
  model.dispose();
  await store.promote('toon', version);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const image = (seed: number, width: number, height: number) => ({
  pixels: Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + seed * 101) % 256)),
  width,
  height,
});

/** Styles three images at once (two of one size, batched, and one of another) through the worker's batcher. */
async function styleThree(models: ModelCache): Promise<{ runtime: string; styled: Buffer[]; batches: number[] }> {
  const loaded = await models.acquire('toon');
  const batches: number[] = [];
  const batcher = new PredictBatcher({ maxBatch: 4, waitMs: 600_000, logger, onBatch: (n) => batches.push(n) });
  const tickets = [batcher.ticket(), batcher.ticket(), batcher.ticket()];
  const styled = await Promise.all([tickets[0]!.predict(loaded, image(1, 20, 12)), tickets[1]!.predict(loaded, image(2, 20, 12)), tickets[2]!.predict(loaded, image(3, 9, 14))]);
  return { runtime: loaded.runtime, styled, batches: batches.sort() };
}

test('auto serves a version with a model.onnx by ONNX Runtime, batched and at native sizes, with the pixels tfjs gives', { timeout: 30_000 }, async () => {
  const onnxModels = new ModelCache(store, logger, serving('prefer'));
  const tfjsModels = new ModelCache(store, logger, serving('off'));
  try {
    const tensorsBefore = tf.memory().numTensors;
    const onnx = await styleThree(onnxModels);
    assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left behind by ONNX serving');
    const tfjs = await styleThree(tfjsModels);
    assert.match(onnx.runtime, /^onnxruntime-node \d+\.\d+\.\d+ \(cpu, 1 thread\)$/);
    assert.equal(tfjs.runtime, 'tfjs-backend-cpu');
    assert.deepEqual(onnx.batches, [1, 2]);
    for (const [i, styled] of onnx.styled.entries()) {
      const reference = tfjs.styled[i]!;
      assert.equal(styled.length, reference.length);
      // 8-bit outputs of the same floats up to 1e-4: at most one level apart where rounding falls differently.
      assert.ok(
        styled.every((v, j) => Math.abs(v - reference[j]!) <= 1),
        `image ${i} differs by more than one level`,
      );
    }
  } finally {
    onnxModels.dispose();
    tfjsModels.dispose();
  }
});

test('a model.onnx ONNX Runtime cannot open: auto serves the version by tfjs, TF_BACKEND=onnx refuses it', { timeout: 30_000 }, async () => {
  const model = buildTinyGenerator(null, 12);
  const { version: broken } = await saveLayersModel(store, model, { style: 'broken', architecture: 'test-tiny', inputSize: 16, inputMultiple: 1 });
  model.dispose();
  await store.promote('broken', broken);
  await store.saveOnnx('broken', broken, new TextEncoder().encode('not an ONNX model'));
  const required = new ModelCache(store, logger, serving('require'));
  const preferred = new ModelCache(store, logger, serving('prefer'));
  try {
    await assert.rejects(required.acquire('broken'));
    assert.equal((await preferred.acquire('broken')).runtime, 'tfjs-backend-cpu');
  } finally {
    required.dispose();
    preferred.dispose();
  }
});

test('TF_BACKEND=onnx refuses a version without a model.onnx, naming the export command; auto serves it by tfjs', { timeout: 30_000 }, async () => {
  const input = tf.input({ shape: [null, null, 3] });
  const pooled = tf.model({ inputs: input, outputs: tf.layers.maxPooling2d({ poolSize: 1 }).apply(input) as tf.SymbolicTensor });
  const { version: tfjsOnly } = await saveLayersModel(store, pooled, { style: 'plain', architecture: 'test-pool', inputSize: 16, inputMultiple: 1 });
  pooled.dispose();
  await store.promote('plain', tfjsOnly);
  const required = new ModelCache(store, logger, serving('require'));
  const preferred = new ModelCache(store, logger, serving('prefer'));
  try {
    await assert.rejects(required.acquire('plain'), new RegExp(`no model.onnx .*models export plain ${tfjsOnly}`));
    assert.equal((await preferred.acquire('plain')).runtime, 'tfjs-backend-cpu');
  } finally {
    required.dispose();
    preferred.dispose();
  }
});

test('through the queue with TF_BACKEND=onnx, the job result and /metrics say ONNX Runtime served the style', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const config = testConfig({ TF_BACKEND: 'onnx', DEFAULT_STYLE: 'toon' });
  const worker = await testWorker(redis.url, config, store, 0);
  const producer = await testProducer(redis.url, config);
  try {
    const id = await producer.client.submit(await makePhoto(40, 28), { platform: 'cli', style: 'toon' });
    const result = await producer.client.wait(id, undefined, 30_000);
    assert.match(result.backend, /^onnxruntime-node /);
    assert.ok((await producer.client.takeOutput(result)).length > 0);
    const metrics = await (await fetch(`http://127.0.0.1:${worker.health!.port}/metrics`)).text();
    assert.match(metrics, new RegExp(`animebot_model_runtime_info\\{style="toon",version="${version}",runtime="onnxruntime-node [^"]+"\\} 1`));
  } finally {
    await producer.close();
    await worker.close();
    await redis.stop();
  }
});
