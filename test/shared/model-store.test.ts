import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { loadLayersModel, saveLayersModel } from '../../shared/models/layers-model-io.js';
import { ModelStoreError } from '../../shared/models/model-store.js';
import { exportLayersModelToOnnx } from '../../shared/models/onnx-export/export-layers-model.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';

it('model store: save, list, promote, rollback; saved models load with identical outputs', async () => {
  await tf.setBackend('cpu');
  const store = new DirectoryModelStore(await mkdtemp(path.join(os.tmpdir(), 'store-')));
  assert.deepEqual(await store.styles(), []);
  const first = buildTinyGenerator(16, 1);
  const second = buildTinyGenerator(16, 2);
  const v1 = await saveLayersModel(store, first, { style: 'sketch', architecture: 'test-tiny', inputSize: 16, metrics: { ssim: 0.5 } });
  const v2 = await saveLayersModel(store, second, { style: 'sketch', architecture: 'test-tiny', inputSize: 16 });
  assert.deepEqual(await store.styles(), ['sketch']);
  assert.equal(await store.current('sketch'), undefined, 'a saved version is a candidate until promoted');

  await store.promote('sketch', v1.version);
  await store.promote('sketch', v2.version);
  assert.equal(await store.current('sketch'), v2.version);
  const versions = await store.versions('sketch');
  assert.deepEqual(
    versions.map((v) => [v.meta.version, v.current, v.meta.status]),
    [
      [v1.version, false, 'promoted'],
      [v2.version, true, 'promoted'],
    ],
  );
  assert.equal(await store.rollback('sketch'), v1.version);
  assert.equal(await store.current('sketch'), v1.version);
  await assert.rejects(store.rollback('sketch'), ModelStoreError);

  const { model, meta } = await loadLayersModel(store, 'sketch', v1.version);
  assert.equal(meta.metrics.ssim, 0.5);
  const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 3);
  const same = tf.tidy(
    () =>
      tf
        .equal(first.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)
        .all()
        .dataSync()[0],
  );
  assert.equal(same, 1);
  x.dispose();
  for (const m of [first, second, model]) m.dispose();
  // Writes went through temp dirs that were renamed away.
  assert.ok((await readdir(path.join(store.root, 'sketch'))).every((f) => !f.startsWith('.tmp')));
  await assert.rejects(store.promote('sketch', 'nope'), ModelStoreError);
});

it('model store: a saved version carries its ONNX export, which ONNX Runtime runs; models export can replace it; a model the exporter refuses is saved without one', async () => {
  await tf.setBackend('cpu');
  const store = new DirectoryModelStore(await mkdtemp(path.join(os.tmpdir(), 'store-onnx-')));
  const generator = buildTinyGenerator(null, 4);
  const saved = await saveLayersModel(store, generator, { style: 'toon', architecture: 'test-tiny', inputSize: 16 });
  const onnx = await store.loadOnnx('toon', saved.version);
  assert.ok(onnx, 'model.onnx is written with the version');
  const session = await ort.InferenceSession.create(onnx);
  const x = tf.randomUniform([2, 8, 12, 3], -1, 1, 'float32', 5);
  const expected = tf.tidy(() => (generator.predict(x) as tf.Tensor).dataSync());
  const actual = (await session.run({ input: new ort.Tensor('float32', x.dataSync() as Float32Array, [2, 8, 12, 3]) })).output!.data as Float32Array;
  assert.ok(expected.every((v, i) => Math.abs(v - actual[i]!) <= 1e-4));
  await session.release();

  const replacement = exportLayersModelToOnnx(buildTinyGenerator(null, 5)).bytes;
  await store.saveOnnx('toon', saved.version, replacement);
  assert.ok(Buffer.from(replacement).equals((await store.loadOnnx('toon', saved.version))!), 'model.onnx was replaced');
  assert.ok((await readdir(path.join(store.root, 'toon', saved.version))).every((f) => !f.includes('.tmp')));
  await assert.rejects(store.saveOnnx('toon', 'nope', replacement), ModelStoreError);

  const input = tf.input({ shape: [null, null, 3] });
  const pooled = tf.model({ inputs: input, outputs: tf.layers.maxPooling2d({ poolSize: 2 }).apply(input) as tf.SymbolicTensor });
  const unexportable = await saveLayersModel(store, pooled, { style: 'toon', architecture: 'test-pool', inputSize: 16 });
  assert.equal(await store.loadOnnx('toon', unexportable.version), undefined);
  x.dispose();
  for (const m of [generator, pooled]) m.dispose();
});
