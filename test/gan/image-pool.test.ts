import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ImagePools } from '../../gan/image-pool.js';
import { SeededRandom } from '../../trainer/data/seeded-random.js';

/** A batch of 2×2 images, image i filled with the value ids[i], so each shown image names itself. */
function images(ids: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.stack(ids.map((id) => tf.fill([2, 2, 3], id))) as tf.Tensor4D);
}

/** The id of every image of a batch (checking that each image is one constant). */
function ids(batch: tf.Tensor4D): number[] {
  const values = batch.dataSync();
  const per = values.length / batch.shape[0];
  return Array.from({ length: batch.shape[0] }, (_, i) => {
    const image = values.slice(i * per, (i + 1) * per);
    assert.ok(
      image.every((v) => v === image[0]),
      `image ${i} is not one of the queried images`,
    );
    return image[0]!;
  });
}

function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Queries `count` one-image batches with ids from..from+count−1; returns the ids shown. */
function queryEach(pools: ImagePools, stream: string, from: number, count: number): number[] {
  const shown: number[] = [];
  for (let id = from; id < from + count; id++) {
    const batch = images([id]);
    const result = pools.query(stream, batch);
    shown.push(...ids(result));
    tf.dispose([batch, result]);
  }
  return shown;
}

describe('image pool (the reference toolkit ImagePool)', () => {
  it('shows the new fakes while filling, then a stored one about half the time, each stored fake at most once', () => {
    const pools = new ImagePools(5, seeded(1));
    assert.deepEqual(queryEach(pools, 'fakeB', 0, 5), [0, 1, 2, 3, 4], 'the first pool_size fakes are shown as they are');
    assert.equal(pools.held('fakeB'), 5);
    const total = 400;
    const shown = queryEach(pools, 'fakeB', 5, total);
    const fromHistory = shown.filter((id, i) => id !== 5 + i);
    assert.ok(fromHistory.length > 0.4 * total && fromHistory.length < 0.6 * total, `${fromHistory.length} of ${total} shown from the pool`);
    shown.forEach((id, i) => assert.ok(id <= 5 + i, `step ${i} shows a fake from the future: ${id}`));
    // A stored fake leaves the pool when shown (the new one takes its slot).
    assert.equal(new Set(fromHistory).size, fromHistory.length, 'a stored fake was shown twice');
    assert.equal(pools.held('fakeB'), 5, 'the pool never grows beyond its size');
    pools.dispose();
  });

  it('keeps one pool per stream, decides per image of a batch, and the same seed gives the same choices', () => {
    const run = () => {
      const pools = new ImagePools(3, seeded(7));
      const shown: number[][] = [];
      for (let step = 0; step < 6; step++) {
        const batch = images([10 * step, 10 * step + 1]);
        const result = pools.query('fakeA', batch);
        assert.deepEqual(result.shape, batch.shape);
        shown.push(ids(result));
        tf.dispose([batch, result]);
      }
      assert.equal(pools.held('fakeB'), 0, 'another stream has its own, empty pool');
      pools.dispose();
      return shown;
    };
    const first = run();
    // Size 3, batches of 2: the second batch fills the pool with its first image; its second is pooled already.
    assert.deepEqual(first[0], [0, 1]);
    assert.equal(first[1]![0], 10);
    assert.deepEqual(run(), first);
  });

  it('holds its copies and nothing else: the tensor count stays flat once full and returns to the start on dispose', () => {
    const start = tf.memory().numTensors;
    const pools = new ImagePools(4, seeded(3));
    queryEach(pools, 'fakeB', 0, 4);
    const full = tf.memory().numTensors;
    assert.equal(full, start + 4, 'the pool keeps a copy of each stored fake');
    queryEach(pools, 'fakeB', 4, 50);
    assert.equal(tf.memory().numTensors, full, 'replacing stored fakes leaks nothing');
    pools.dispose();
    assert.equal(tf.memory().numTensors, start);
  });

  it('pool_size 0 shows the fakes as they are and stores nothing', () => {
    const start = tf.memory().numTensors;
    const pools = new ImagePools(0, seeded(5));
    const batch = images([1, 2]);
    assert.equal(pools.query('fakeB', batch), batch);
    assert.equal(pools.held('fakeB'), 0);
    batch.dispose();
    pools.dispose();
    assert.equal(tf.memory().numTensors, start);
  });
});
