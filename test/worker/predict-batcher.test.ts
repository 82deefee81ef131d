import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { modelMetaSchema } from '../../shared/models/model-meta.js';
import type { LoadedModel } from '../../worker/model-cache.js';
import { PredictBatcher } from '../../worker/predict-batcher.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';

const size = 16;
let loaded: LoadedModel;

before(async () => {
  await tf.setBackend('cpu');
  const meta = modelMetaSchema.parse({ style: 'sketch', version: 'v1', architecture: 'test-tiny', inputSize: size, createdAt: new Date().toISOString() });
  loaded = { model: buildTinyGenerator(size, 7), meta };
});
after(() => loaded.model.dispose());

/** A batcher whose window is far longer than any test may take: only its other rules can run a batch. */
function batcherRecordingSizes(): { batcher: PredictBatcher; batches: number[] } {
  const batches: number[] = [];
  const batcher = new PredictBatcher({ maxBatch: 4, waitMs: 600_000, logger: quietLogger(testConfig()), onBatch: (n) => batches.push(n) });
  return { batcher, batches };
}

const image = (value: number) => Buffer.alloc(size * size * 3, value);

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
