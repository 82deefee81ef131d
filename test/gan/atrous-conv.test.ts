import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AtrousConv } from '../../shared/layers/atrous-conv.js';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** A built AtrousConv with seeded weights and its input, on the current backend. */
function setup(rate: number, height: number, width: number) {
  const layer = new AtrousConv({ filters: 3, kernelSize: 3, rate });
  const x = tf.randomNormal([2, height, width, 2], 0, 1, 'float32', 11) as tf.Tensor4D;
  layer.apply(x);
  const kernel = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 12) as tf.Tensor4D;
  const bias = tf.tensor1d([0.1, -0.2, 0.3]);
  layer.setWeights([kernel, bias]);
  return { layer, x, kernel, bias };
}

describe('AtrousConv', () => {
  // Sizes not divisible by the rate exercise the bottom/right padding and crop.
  for (const [rate, height, width] of [
    [1, 5, 6],
    [2, 7, 9],
    [3, 8, 7],
  ] as const) {
    it(`equals tfjs's dilated 'same' conv at rate ${rate} on ${height}×${width}`, async () => {
      await tf.setBackend('cpu');
      const { layer, x, kernel, bias } = setup(rate, height, width);
      const y = layer.apply(x) as tf.Tensor;
      const expected = tf.tidy(() => tf.conv2d(x, kernel, 1, 'same', 'NHWC', rate).add(bias));
      assert.deepEqual(y.shape, [2, height, width, 3]);
      assert.ok(maxAbsDiff(y, expected) < 1e-4, `differs by ${maxAbsDiff(y, expected)}`);
      tf.dispose([y, expected, x, kernel, bias]);
      layer.dispose();
    });
  }

  it('trains on the cpu backend, where tfjs rejects gradients of dilated convs', async () => {
    await tf.setBackend('cpu');
    const { layer, x, kernel, bias } = setup(2, 6, 6);
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar, weights);
    assert.equal(Object.keys(grads).length, 2);
    for (const g of Object.values(grads)) assert.ok(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!) > 0);
    tf.dispose([value, ...Object.values(grads), x, kernel, bias]);
    layer.dispose();
  });

  it('gives the same output on the wasm backend', async () => {
    const outputs: Float32Array[] = [];
    for (const backend of ['cpu', 'wasm']) {
      assert.ok(await tf.setBackend(backend));
      const { layer, x, kernel, bias } = setup(3, 7, 5);
      const y = layer.apply(x) as tf.Tensor;
      outputs.push(y.dataSync() as Float32Array);
      tf.dispose([y, x, kernel, bias]);
      layer.dispose();
    }
    await tf.setBackend('cpu');
    const [cpu, wasm] = outputs;
    assert.equal(wasm!.length, cpu!.length);
    assert.ok(cpu!.every((v, i) => Math.abs(v - wasm![i]!) < 1e-4));
  });

  it('round-trips its configuration through tfjs serialization', () => {
    const layer = new AtrousConv({ filters: 4, kernelSize: 5, rate: 3, useBias: false, kernelStddev: 0.1, name: 'atrous' });
    const restored = AtrousConv.fromConfig(AtrousConv, layer.getConfig()) as AtrousConv;
    assert.deepEqual(restored.getConfig(), layer.getConfig());
  });

  it('rejects an even kernel or a non-positive rate', () => {
    assert.throws(() => new AtrousConv({ filters: 1, kernelSize: 4, rate: 2 }), /kernelSize must be odd/);
    assert.throws(() => new AtrousConv({ filters: 1, kernelSize: 3, rate: 0 }), /rate must be a positive integer/);
  });
});
