import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { pixelsToTensor, tensorToPixels } from '../../shared/image/tensor.js';
import { photoPixels } from '../helpers/images.js';

const size = 8;

/** Every byte value 0..255 occurs, in a different order per seed. */
function allByteValues(seed: number): Buffer {
  return Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (i * 7 + seed) % 256));
}

describe('pixelsToTensor / tensorToPixels', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const valueRange of [
    [-1, 1],
    [0, 1],
    [0, 255],
  ] as const) {
    it(`round-trips a batch exactly through [${valueRange.join(', ')}] without leaking tensors`, async () => {
      const images = [allByteValues(0), allByteValues(101), photoPixels(size, size)];
      const before = tf.memory().numTensors;
      const batch = pixelsToTensor(images, { width: size, height: size }, valueRange);
      assert.deepEqual(batch.shape, [3, size, size, 3]);
      assert.equal(batch.dtype, 'float32');
      const values = await batch.data();
      assert.equal(Math.min(...values), valueRange[0]);
      assert.equal(Math.max(...values), valueRange[1]);

      const back = await tensorToPixels(batch, valueRange);
      assert.equal(batch.isDisposed, false, 'tensorToPixels must not dispose its input');
      batch.dispose();
      assert.equal(tf.memory().numTensors, before);
      assert.equal(back.length, images.length);
      back.forEach((image, i) => assert.ok(image.equals(images[i]!), `image ${i} differs`));
    });
  }

  it('clamps values outside the range and rounds to the nearest byte', async () => {
    const batch = tf.tensor4d([-3, -1, 2, 0, 0.4 / 255, 1.4 / 255, 1.6 / 255, 1, 1000, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 0.5], [1, 2, 2, 3]);
    const [image] = await tensorToPixels(batch, [0, 1]);
    batch.dispose();
    assert.deepEqual([...image!], [0, 0, 255, 0, 0, 1, 2, 255, 255, 0, 255, 128]);
  });

  it('refuses buffers of the wrong size and non-RGB batches', () => {
    assert.throws(() => pixelsToTensor([allByteValues(0), Buffer.alloc(5)], { width: size, height: size }, [-1, 1]), RangeError);
    assert.throws(() => pixelsToTensor([allByteValues(0)], { width: size, height: size }, [1, -1]));
    const grey = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    return assert.rejects(tensorToPixels(grey, [0, 1]), RangeError).finally(() => grey.dispose());
  });
});
