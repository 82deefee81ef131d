import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { useFastWasmSlice, useOriginalWasmSlice } from '../../shared/tf/wasm-slice.js';
import { on, seededValues } from '../helpers/backend-comparison.js';

/** The run-copying wasm Slice against the cpu backend: slices must be bit-identical. */

interface SliceCase {
  shape: number[];
  begin: number[];
  size: number[];
  dtype?: 'float32' | 'int32';
}

const cases: SliceCase[] = [
  { shape: [1, 34, 34, 32], begin: [0, 1, 1, 0], size: [1, 32, 32, 32] },
  { shape: [2, 9, 11, 20], begin: [1, 2, 0, 0], size: [1, 5, 11, 20] },
  { shape: [3, 8, 8, 24], begin: [0, 0, 0, 0], size: [2, -1, -1, -1] },
  { shape: [2, 6, 7, 40], begin: [0, 0, 0, 8], size: [-1, -1, -1, 24] },
  { shape: [2, 6, 7, 40], begin: [0, 0, 0, 1], size: [-1, -1, -1, 3] },
  { shape: [4, 50], begin: [1, 10], size: [2, 30] },
  { shape: [200], begin: [17], size: [100] },
  { shape: [2, 3, 4, 5, 20], begin: [1, 1, 1, 0, 0], size: [1, 2, 3, 5, 20] },
  { shape: [1, 20, 20, 16], begin: [0, 3, 2, 0], size: [1, 10, 12, 16], dtype: 'int32' },
];

function sliced(c: SliceCase): Int32Array {
  return tf.tidy(() => {
    const values = seededValues(
      c.shape.reduce((a, b) => a * b, 1),
      5,
    );
    const x =
      c.dtype === 'int32'
        ? tf.tensor(
            values.map((v) => Math.round(v * 1000)),
            c.shape,
            'int32',
          )
        : tf.tensor(values, c.shape);
    const y = tf.slice(x, c.begin, c.size);
    // Compare bits: a slice copies values, it must not change any.
    return new Int32Array((y.dataSync() as Float32Array | Int32Array).slice().buffer);
  });
}

describe('wasm Slice (contiguous runs)', () => {
  for (const c of cases) {
    it(`${c.dtype ?? 'float32'} ${c.shape.join('×')} from ${c.begin.join(',')} size ${c.size.join(',')}`, async () => {
      const expected = await on('cpu', () => sliced(c));
      useFastWasmSlice();
      const actual = await on('wasm', () => sliced(c));
      assert.deepEqual(actual, expected);
    });
  }

  it('leaves no buffer behind, and wasm’s own kernel can be put back', async () => {
    assert.ok(useFastWasmSlice());
    await on('wasm', () => {
      for (const c of cases) sliced(c);
      const buffers = tf.engine().backend.numDataIds();
      for (const c of cases) sliced(c);
      assert.equal(tf.engine().backend.numDataIds(), buffers);
    });
    useOriginalWasmSlice();
    const withOriginal = await on('wasm', () => sliced(cases[0]!));
    useFastWasmSlice();
    assert.deepEqual(withOriginal, await on('wasm', () => sliced(cases[0]!)));
  });
});
