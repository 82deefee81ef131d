import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ModulatedConv, modulatedConv } from '../../shared/layers/modulated-conv.js';

/** The grouped-conv definition: one explicitly modulated (and demodulated) kernel per sample. */
function referenceModulatedConv(x: tf.Tensor4D, style: tf.Tensor2D, kernel: tf.Tensor4D, bias: tf.Tensor1D, demodulate: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    const outputs = tf.unstack(x).map((xi, n) => {
      const s = style.slice([n, 0], [1, -1]).reshape([1, 1, -1, 1]);
      let w = kernel.mul(s) as tf.Tensor4D;
      if (demodulate) w = w.div(tf.sqrt(tf.sum(tf.square(w), [0, 1, 2], true).add(1e-8))) as tf.Tensor4D;
      return tf.conv2d(xi.expandDims(0) as tf.Tensor4D, w, 1, 'same').add(bias);
    });
    return tf.concat(outputs) as tf.Tensor4D;
  });
}

function buildModel(args: { demodulate: boolean; upsample?: boolean }, size: number, channels: number, codeSize: number) {
  const x = tf.input({ shape: [size, size, channels] });
  const code = tf.input({ shape: [codeSize] });
  const y = modulatedConv(x, code, { filters: 5, kernelSize: 3, ...args, name: 'modconv' });
  return tf.model({ inputs: [x, code], outputs: y });
}

for (const demodulate of [true, false]) {
  test(`ModulatedConv equals per-sample modulated kernels (demodulate=${demodulate})`, () => {
    const model = buildModel({ demodulate }, 6, 4, 3);
    tf.tidy(() => {
      const layer = model.getLayer('modconv') as ModulatedConv;
      const [styleKernel, styleBias, kernel, bias] = layer.getWeights();
      const x = tf.randomNormal([2, 6, 6, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
      const code = tf.randomNormal([2, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
      const y = model.predict([x, code]) as tf.Tensor4D;
      const style = tf.matMul(code, styleKernel as tf.Tensor2D).add(styleBias!) as tf.Tensor2D;
      const expected = referenceModulatedConv(x, style, kernel as tf.Tensor4D, bias as tf.Tensor1D, demodulate);
      assert.deepEqual(y.shape, [2, 6, 6, 5]);
      assert.ok(tf.max(tf.abs(y.sub(expected))).dataSync()[0]! < 1e-4);
      // Scaling the affine layer scales the style: demodulation cancels it, plain modulation does not.
      layer.setWeights([styleKernel!.mul(7), styleBias!.mul(7), kernel!, bias!]);
      const change = tf.max(tf.abs((model.predict([x, code]) as tf.Tensor).sub(y))).dataSync()[0]!;
      assert.ok(demodulate ? change < 1e-4 : change > 1e-2, `output change ${change}`);
    });
    model.dispose();
  });
}

test('ModulatedConv upsamples 2x and round-trips through save/load bit-identically', async () => {
  const model = buildModel({ demodulate: true, upsample: true }, 4, 3, 2);
  const x = tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 3);
  const code = tf.randomNormal([1, 2], 0, 1, 'float32', 4);
  const y = model.predict([x, code]) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 8, 8, 5]);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const y2 = loaded.predict([x, code]) as tf.Tensor;
  assert.deepEqual(Array.from(y2.dataSync()), Array.from(y.dataSync()));
  tf.dispose([x, code, y, y2]);
  model.dispose();
  loaded.dispose();
});
