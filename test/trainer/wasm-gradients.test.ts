import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../trainer/tf/register-training-kernels.js';
import { InstanceNorm } from '../../shared/layers/instance-norm.js';
import { ReflectionPad } from '../../shared/layers/reflection-pad.js';
import { gradientPenalty } from '../../gan/losses/gradient-penalty.js';
import { on, relativeError, seededValues } from '../helpers/backend-comparison.js';

/**
 * Gradients on the wasm backend (with the trainer's extra kernels) against the pure-JS cpu
 * backend, which has every kernel and serves as the reference. Tensors cannot cross
 * backends, so each side rebuilds its inputs from plain arrays or seeds.
 */

type Shape4 = [number, number, number, number];

interface ConvCase {
  input: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

/** A convolution under test: conv2d, or a depthwise conv (channel multiplier 1). */
type ConvOp = (input: tf.Tensor4D, filter: tf.Tensor4D, c: ConvCase) => tf.Tensor;
const conv2d: ConvOp = (input, filter, c) => tf.conv2d(input, filter, c.strides, c.pad);
const depthwiseConv2d: ConvOp = (input, filter, c) => tf.depthwiseConv2d(input, filter, c.strides, c.pad);

/** d/dx and d/dW of a weighted sum of the conv's output (weights make every output position count differently). */
function convGradients(op: ConvOp, c: ConvCase, x: Float32Array, w: Float32Array, outWeights: (shape: number[]) => tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const loss = (input: tf.Tensor, filter: tf.Tensor) => {
      const y = op(input as tf.Tensor4D, filter as tf.Tensor4D, c);
      return tf.sum(tf.mul(y, outWeights(y.shape)));
    };
    const [dx, dw] = tf.grads(loss)([tf.tensor4d(x, c.input), tf.tensor4d(w, c.filter)]);
    return [dx!.dataSync() as Float32Array, dw!.dataSync() as Float32Array];
  });
}

async function assertGradientsMatchCpu(op: ConvOp, c: ConvCase): Promise<void> {
  const x = seededValues(
    c.input.reduce((a, b) => a * b),
    1,
  );
  const w = seededValues(
    c.filter.reduce((a, b) => a * b),
    2,
  );
  const outWeights = (shape: number[]) =>
    tf.tensor(
      seededValues(
        shape.reduce((a, b) => a * b),
        3,
      ),
      shape,
    );
  const [dxCpu, dwCpu] = await on('cpu', () => convGradients(op, c, x, w, outWeights));
  const [dxWasm, dwWasm] = await on('wasm', () => convGradients(op, c, x, w, outWeights));
  assert.ok(relativeError(dwWasm!, dwCpu!, 1e-6) < 1e-4, `filter gradient off by ${relativeError(dwWasm!, dwCpu!, 1e-6)}`);
  assert.ok(relativeError(dxWasm!, dxCpu!, 1e-6) < 1e-4, `input gradient off by ${relativeError(dxWasm!, dxCpu!, 1e-6)}`);
}

const convCases: ConvCase[] = [
  { input: [2, 9, 7, 3], filter: [1, 1, 3, 4], strides: 1, pad: 'valid' },
  { input: [2, 9, 7, 3], filter: [1, 1, 3, 4], strides: 2, pad: 'same' },
  { input: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { input: [2, 9, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { input: [3, 10, 13, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'valid' },
  { input: [2, 12, 9, 3], filter: [4, 4, 3, 2], strides: 2, pad: 'same' },
  { input: [2, 12, 9, 3], filter: [4, 4, 3, 2], strides: 1, pad: 'valid' },
  { input: [2, 11, 8, 2], filter: [4, 4, 2, 3], strides: 2, pad: 1 },
  {
    input: [2, 11, 8, 2],
    filter: [3, 3, 2, 3],
    strides: [2, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  { input: [2, 16, 13, 3], filter: [7, 7, 3, 4], strides: 1, pad: 'same' },
  { input: [1, 16, 13, 3], filter: [7, 7, 3, 4], strides: 2, pad: 'valid' },
  { input: [2, 14, 11, 2], filter: [7, 7, 2, 3], strides: 1, pad: 3 },
];

after(async () => {
  await tf.setBackend('cpu');
});

describe('conv2d gradients on wasm', () => {
  for (const c of convCases) {
    const name = `${c.filter[0]}×${c.filter[1]} kernel, stride ${JSON.stringify(c.strides)}, pad ${JSON.stringify(c.pad)}, input ${c.input.join('×')}`;
    it(`match the cpu backend for a ${name}`, () => assertGradientsMatchCpu(conv2d, c));
  }

  it('frees every intermediate buffer of the filter gradient kernel', async () => {
    await on('wasm', () => {
      const x = tf.tensor4d(seededValues(2 * 9 * 7 * 3, 4), [2, 9, 7, 3]);
      const dy = tf.tensor4d(seededValues(2 * 5 * 4 * 4, 5), [2, 5, 4, 4]);
      const buffersBefore = tf.engine().backend.numDataIds();
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] };
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
      assert.deepEqual(dw.shape, [3, 3, 3, 4]);
      assert.equal(tf.engine().backend.numDataIds(), buffersBefore + 1);
      tf.dispose([x, dy, dw]);
    });
  });
});

const depthwiseCases: ConvCase[] = [
  { input: [2, 9, 7, 5], filter: [3, 3, 5, 1], strides: 1, pad: 'valid' },
  { input: [2, 9, 7, 5], filter: [3, 3, 5, 1], strides: 1, pad: 'same' },
  { input: [1, 8, 11, 3], filter: [5, 5, 3, 1], strides: 1, pad: 'same' },
  { input: [3, 6, 6, 4], filter: [3, 3, 4, 1], strides: 1, pad: 2 },
];

describe('depthwise conv2d gradients on wasm', () => {
  for (const c of depthwiseCases) {
    const name = `${c.filter[0]}×${c.filter[1]} kernel, pad ${JSON.stringify(c.pad)}, input ${c.input.join('×')}`;
    it(`match the cpu backend for a ${name}`, () => assertGradientsMatchCpu(depthwiseConv2d, c));
  }

  it('frees every intermediate buffer of both kernels', async () => {
    await on('wasm', () => {
      const x = tf.tensor4d(seededValues(2 * 9 * 7 * 5, 4), [2, 9, 7, 5]);
      const dy = tf.tensor4d(seededValues(2 * 9 * 7 * 5, 5), [2, 9, 7, 5]);
      const filter = tf.tensor4d(seededValues(3 * 3 * 5, 6), [3, 3, 5, 1]);
      const buffersBefore = tf.engine().backend.numDataIds();
      const attrs = { strides: 1, pad: 'same', dilations: 1 };
      const dw = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: [3, 3, 5, 1] }) as tf.Tensor;
      const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...attrs, inputShape: [2, 9, 7, 5] }) as tf.Tensor;
      assert.deepEqual(
        [dw.shape, dx.shape],
        [
          [3, 3, 5, 1],
          [2, 9, 7, 5],
        ],
      );
      assert.equal(tf.engine().backend.numDataIds(), buffersBefore + 2);
      tf.dispose([x, dy, filter, dw, dx]);
    });
  });

  it('refuses a stride the kernels do not implement instead of computing a wrong gradient', async () => {
    await on('wasm', () => {
      const x = tf.tensor4d(seededValues(1 * 8 * 8 * 2, 7), [1, 8, 8, 2]);
      const filter = tf.tensor4d(seededValues(3 * 3 * 2, 8), [3, 3, 2, 1]);
      assert.throws(() => tf.grad((input: tf.Tensor) => tf.sum(tf.depthwiseConv2d(input as tf.Tensor4D, filter, 2, 'same')))(x), /stride 1 only/);
      tf.dispose([x, filter]);
    });
  });
});

/**
 * A small generator with every layer kind our architectures train: reflection padding,
 * convs with fused bias and activation, instance norm, leaky ReLU, strided conv, seeded
 * dropout, transposed conv, a skip concatenation and a tanh output. Seeded initialisers
 * give the same weights on both backends.
 */
function buildNet(): tf.LayersModel {
  let seed = 10;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: [12, 10, 3] });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  let h = apply(new ReflectionPad({ padding: 3 }), input);
  // No bias before instance norm: its gradient is zero in theory, rounding noise in practice.
  h = apply(tf.layers.conv2d({ filters: 6, kernelSize: 7, useBias: false, kernelInitializer: init() }), h);
  h = apply(new InstanceNorm({ affine: true }), h);
  h = apply(tf.layers.leakyReLU({ alpha: 0.2 }), h);
  h = apply(tf.layers.conv2d({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }), h);
  h = apply(tf.layers.dropout({ rate: 0.5, seed: 7 }), h);
  h = apply(tf.layers.conv2dTranspose({ filters: 6, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: init() }), h);
  h = apply(tf.layers.concatenate(), [h, input]);
  const output = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: init() }), h);
  return tf.model({ inputs: input, outputs: output });
}

function buildCritic(): tf.LayersModel {
  let seed = 20;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 10, 3], filters: 4, kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: init() }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init() }),
    ],
  });
}

/** Gradients of `loss` w.r.t. every trainable weight of a freshly built model, in weight order. */
function weightGradients(build: () => tf.LayersModel, loss: (model: tf.LayersModel) => tf.Scalar): Float32Array[] {
  const model = build();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => loss(model), variables);
  const result = variables.map((v) => grads[v.name]!.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  return result;
}

describe('training gradients on wasm', () => {
  const images = (seed: number) => tf.tensor4d(seededValues(2 * 12 * 10 * 3, seed), [2, 12, 10, 3]).mul(2) as tf.Tensor4D;

  it('match the cpu backend for every weight of a small generator', async () => {
    const loss = (net: tf.LayersModel) => tf.tidy(() => tf.mean(tf.abs(tf.sub(net.apply(images(8), { training: true }) as tf.Tensor, images(9)))) as tf.Scalar);
    const cpu = await on('cpu', () => weightGradients(buildNet, loss));
    const wasm = await on('wasm', () => weightGradients(buildNet, loss));
    assert.equal(wasm.length, 9);
    for (const [i, g] of wasm.entries()) {
      const error = relativeError(g, cpu[i]!, 1e-6);
      assert.ok(error < 1e-4, `weight ${i}: gradient off by ${error}`);
    }
  });

  it('match the cpu backend for a gradient penalty (second-order gradients)', async () => {
    const loss = (critic: tf.LayersModel) => gradientPenalty((x) => critic.apply(x) as tf.Tensor, images(11), images(12), { kind: 'real' });
    const cpu = await on('cpu', () => weightGradients(buildCritic, loss));
    const wasm = await on('wasm', () => weightGradients(buildCritic, loss));
    for (const [i, g] of wasm.entries()) {
      const error = relativeError(g, cpu[i]!, 1e-6);
      assert.ok(error < 1e-4, `weight ${i}: gradient off by ${error}`);
    }
  });
});
