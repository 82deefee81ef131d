import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { keepPreparedWasmFilters, useFastWasmConv2DBackpropInput, useOriginalWasmConv2DBackpropInput } from '../../shared/tf/wasm-conv2d-backprop-input.js';
import { getArchitecture } from '../../gan/index.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { on, relativeError, seededValues } from '../helpers/backend-comparison.js';

/**
 * The sub-pixel Conv2DBackpropInput on wasm against the pure-JS cpu backend (the reference),
 * through conv2dTranspose and through conv2d's input gradient, and a whole U-Net generator
 * with and without it. Tensors cannot cross backends, so each side rebuilds its inputs.
 */

type Shape4 = [number, number, number, number];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface TransposeCase {
  /** The transposed conv's output shape (the forward conv's input). */
  output: Shape4;
  /** [kH, kW, outChannels, inChannels], as conv2dTranspose takes it. */
  filter: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

const cases: TransposeCase[] = [
  { output: [1, 16, 16, 3], filter: [4, 4, 3, 8], strides: 2, pad: 'same' },
  { output: [2, 12, 10, 5], filter: [4, 4, 5, 6], strides: 2, pad: 'same' },
  { output: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { output: [2, 11, 13, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'valid' },
  { output: [2, 9, 8, 3], filter: [4, 4, 3, 2], strides: 1, pad: 'same' },
  { output: [1, 12, 9, 3], filter: [4, 4, 3, 2], strides: 1, pad: 'valid' },
  { output: [2, 11, 8, 2], filter: [4, 4, 2, 3], strides: 2, pad: 1 },
  {
    output: [2, 11, 9, 2],
    filter: [3, 5, 2, 3],
    strides: 2,
    pad: [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  },
  { output: [1, 14, 10, 2], filter: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { output: [2, 11, 8, 2], filter: [3, 3, 2, 3], strides: [2, 1], pad: 'same' },
];

/** The forward conv's output shape, i.e. the transposed conv's input. */
function inputShapeOf(c: TransposeCase): Shape4 {
  const [kH, kW, , channels] = c.filter;
  return tf.backend_util.computeConv2DInfo(c.output, [kH, kW, c.output[3], channels], c.strides, 1, c.pad).outShape;
}

function transposedConv(c: TransposeCase): Float32Array {
  const x = tf.tensor4d(seededValues(size(inputShapeOf(c)), 1), inputShapeOf(c));
  const w = tf.tensor4d(seededValues(size(c.filter), 2), c.filter);
  const y = tf.conv2dTranspose(x, w, c.output, c.strides, c.pad);
  const values = y.dataSync() as Float32Array;
  tf.dispose([x, w, y]);
  return values;
}

/** d/dx of a weighted sum of conv2d's output: runs Conv2DBackpropInput through the gradient tape. */
function convInputGradient(c: TransposeCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(size(c.output), 3), c.output);
    const w = tf.tensor4d(seededValues(size(c.filter), 4), c.filter);
    const weights = tf.tensor(seededValues(size(inputShapeOf(c)), 5), inputShapeOf(c));
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(input as tf.Tensor4D, w, c.strides, c.pad), weights)))(x);
    return dx.dataSync() as Float32Array;
  });
}

after(async () => {
  useOriginalWasmConv2DBackpropInput();
  await tf.setBackend('cpu');
});

describe('fast Conv2DBackpropInput on wasm', () => {
  it('replaces wasm’s own kernel', () => {
    const before = tf.getKernel('Conv2DBackpropInput', 'wasm');
    assert.ok(useFastWasmConv2DBackpropInput());
    assert.notEqual(tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc, before.kernelFunc);
    assert.ok(useFastWasmConv2DBackpropInput(), 'a second call keeps it');
  });

  for (const c of cases) {
    const name = `${c.filter[0]}×${c.filter[1]} kernel, stride ${JSON.stringify(c.strides)}, pad ${JSON.stringify(c.pad)}, output ${c.output.join('×')}`;
    it(`matches the cpu backend for a ${name}`, async () => {
      useFastWasmConv2DBackpropInput();
      const expected = await on('cpu', () => transposedConv(c));
      const actual = await on('wasm', () => transposedConv(c));
      const error = relativeError(actual, expected);
      assert.ok(error <= 1e-4, `conv2dTranspose off by ${error}`);
      const expectedGradient = await on('cpu', () => convInputGradient(c));
      const actualGradient = await on('wasm', () => convInputGradient(c));
      const gradientError = relativeError(actualGradient, expectedGradient);
      assert.ok(gradientError <= 1e-4, `conv2d input gradient off by ${gradientError}`);
    });
  }

  it('frees every intermediate buffer, and the prepared filters of freed filters', async () => {
    useFastWasmConv2DBackpropInput();
    await on('wasm', () => {
      const runAll = () => {
        for (const c of cases) transposedConv(c);
      };
      runAll();
      const tensorsBefore = tf.memory().numTensors;
      const buffersBefore = tf.engine().backend.numDataIds();
      runAll();
      runAll();
      assert.equal(tf.memory().numTensors, tensorsBefore);
      assert.equal(tf.engine().backend.numDataIds(), buffersBefore, 'buffers pile up over calls with new filters');
    });
  });

  it('keeps no prepared filter when keeping is off (training), with the same results', async () => {
    useFastWasmConv2DBackpropInput();
    const c = cases[1]!;
    const x = () => tf.tensor4d(seededValues(size(inputShapeOf(c)), 3), inputShapeOf(c));
    const w = () => tf.tensor4d(seededValues(size(c.filter), 4), c.filter);
    const expected = await on('cpu', () => tf.tidy(() => tf.conv2dTranspose(x(), w(), c.output, c.strides, c.pad).dataSync() as Float32Array));
    await on('wasm', () => {
      keepPreparedWasmFilters(false);
      try {
        const [input, filter] = [x(), w()];
        const buffersBefore = tf.engine().backend.numDataIds();
        const y = tf.conv2dTranspose(input, filter, c.output, c.strides, c.pad);
        assert.equal(tf.engine().backend.numDataIds(), buffersBefore + 1, 'only the output stays');
        assert.ok(relativeError(y.dataSync() as Float32Array, expected) <= 1e-4);
        tf.dispose([input, filter, y]);
      } finally {
        keepPreparedWasmFilters(true);
      }
    });
  });

  it('follows a filter variable that is assigned new values', async () => {
    useFastWasmConv2DBackpropInput();
    const c = cases[0]!;
    const withAssignedFilter = () => {
      const x = tf.tensor4d(seededValues(size(inputShapeOf(c)), 7), inputShapeOf(c));
      const w = tf.variable(tf.tensor4d(seededValues(size(c.filter), 8), c.filter));
      tf.dispose(tf.conv2dTranspose(x, w, c.output, c.strides, c.pad));
      w.assign(tf.tensor4d(seededValues(size(c.filter), 9), c.filter));
      const y = tf.conv2dTranspose(x, w, c.output, c.strides, c.pad);
      const values = y.dataSync() as Float32Array;
      tf.dispose([x, w, y]);
      return values;
    };
    const expected = await on('cpu', withAssignedFilter);
    const actual = await on('wasm', withAssignedFilter);
    assert.ok(relativeError(actual, expected) <= 1e-4, 'used the filter’s old values');
  });

  it('gives a pix2pix U-Net generator the same outputs as wasm’s own kernel', async () => {
    await on('wasm', () => {
      const arch = getArchitecture('pix2pix');
      const nets = arch.build(arch.options.parse({ imageSize: 32, netG: 'unet_32', ngf: 4 }));
      const generator = nets.generators.G;
      assert.ok(generator);
      const images = tf.tensor4d(seededValues(2 * 32 * 32 * 3, 6), [2, 32, 32, 3]);
      const predict = () => tf.tidy(() => (generator.predict(images) as tf.Tensor).dataSync() as Float32Array);
      useOriginalWasmConv2DBackpropInput();
      const expected = predict();
      useFastWasmConv2DBackpropInput();
      const tensorsBefore = tf.memory().numTensors;
      predict();
      const actual = predict();
      assert.equal(tf.memory().numTensors, tensorsBefore);
      const error = relativeError(actual, expected);
      assert.ok(error <= 1e-4, `generator output off by ${error}`);
      images.dispose();
      disposeNetworks(nets);
    });
  });
});
