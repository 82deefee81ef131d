import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { modelMetaSchema } from '../../shared/models/model-meta.js';
import { tfjsServedModel, type LoadedModel } from '../../worker/model-cache.js';
import { PredictBatcher } from '../../worker/predict-batcher.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';

const size = 16;
let loaded: LoadedModel;

before(async () => {
  await tf.setBackend('cpu');
  const meta = modelMetaSchema.parse({ style: 'sketch', version: 'v1', architecture: 'test-tiny', inputSize: size, createdAt: new Date().toISOString() });
  loaded = tfjsServedModel({ model: buildTinyGenerator(size, 7), meta, inputMultiple: undefined }, 'tfjs-backend-cpu');
});
after(() => loaded.dispose());

/** A batcher whose window is far longer than any test may take: only its other rules can run a batch. */
function batcherRecordingSizes(): { batcher: PredictBatcher; batches: number[] } {
  const batches: number[] = [];
  const batcher = new PredictBatcher({ maxBatch: 4, waitMs: 600_000, logger: quietLogger(testConfig()), onBatch: (n) => batches.push(n) });
  return { batcher, batches };
}

const image = (value: number, width = size, height = size) => ({ pixels: Buffer.alloc(width * height * 3, value), width, height });

test('a job with no other job under way predicts at once, without waiting for the batch window', { timeout: 20_000 }, async () => {
  const { batcher, batches } = batcherRecordingSizes();
  const ticket = batcher.ticket();
  const styled = await ticket.predict(loaded, image(200));
  assert.equal(styled.length, size * size * 3);
  assert.deepEqual(batches, [1]);
});

test('jobs running at once share one predict; a job that fails before its predict does not hold the batch', { timeout: 20_000 }, async () => {
  const { batcher, batches } = batcherRecordingSizes();
  const [first, second, failing] = [batcher.ticket(), batcher.ticket(), batcher.ticket()];
  const firstStyled = first.predict(loaded, image(10));
  const secondStyled = second.predict(loaded, image(240));
  failing.leave();
  const [a, b] = await Promise.all([firstStyled, secondStyled]);
  assert.deepEqual(batches, [2]);
  assert.notDeepEqual(a, b, 'each job gets the output of its own image');
  const alone = await batcher.ticket().predict(loaded, image(240));
  assert.deepEqual(b, alone, 'an image styled in a batch equals the same image styled alone');
});

test('images of different sizes for one fully convolutional model go through separate predicts, each at its size', { timeout: 20_000 }, async () => {
  const meta = modelMetaSchema.parse({ style: 'sketch', version: 'v2', architecture: 'test-tiny', inputSize: size, inputMultiple: 1, createdAt: new Date().toISOString() });
  const native = tfjsServedModel({ model: buildTinyGenerator(null, 7), meta, inputMultiple: 1 }, 'tfjs-backend-cpu');
  try {
    const { batcher, batches } = batcherRecordingSizes();
    const tickets = [batcher.ticket(), batcher.ticket(), batcher.ticket()];
    const styled = await Promise.all([tickets[0]!.predict(native, image(10, 24, 16)), tickets[1]!.predict(native, image(240, 16, 24)), tickets[2]!.predict(native, image(120, 24, 16))]);
    assert.deepEqual(batches.sort(), [1, 2], 'the two 24×16 images share a predict, the 16×24 one runs on its own');
    assert.deepEqual(
      styled.map((s) => s.length),
      [24 * 16 * 3, 16 * 24 * 3, 24 * 16 * 3],
    );
    const alone = await batcher.ticket().predict(native, image(120, 24, 16));
    assert.deepEqual(styled[2], alone, 'an image styled in a batch equals the same image styled alone');
  } finally {
    native.dispose();
  }
});
