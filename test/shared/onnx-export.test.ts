import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { loadLayersModel } from '../../shared/models/layers-model-io.js';
import { saveGenerator } from '../../gan/save-generator.js';
import { exportLayersModelToOnnx, UnsupportedLayerError } from '../../shared/models/onnx-export/export-layers-model.js';
import { exportInt8, int8MinPsnrDb, type ImageBatch } from '../../shared/models/onnx-export/int8-export.js';
import { getArchitecture } from '../../gan/index.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { BlurUpsample } from '../../shared/layers/blur-upsample.js';
import { InstanceNorm } from '../../shared/layers/instance-norm.js';

/*
 * The ONNX exporter (shared/models/onnx-export/): for each served architecture (tiny seeded
 * models at test options, their norms' statistics and affines randomised so that folding and
 * scaling show), ONNX Runtime's output equals the tfjs (wasm) output of the same stored
 * version, loaded as the worker loads it, within 1e-4 max abs on [-1, 1] images, at two sizes
 * and batch 1 and 3. Also the layers the shipped styles do not use, and the refusal.
 */

const tolerance = 1e-4;
let storeRoot: string;
let store: DirectoryModelStore;

before(async () => {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend failed to initialise');
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'animebot-onnx-'));
  store = new DirectoryModelStore(storeRoot);
});

after(async () => {
  await rm(storeRoot, { recursive: true, force: true });
});

/**
 * Replaces norm statistics and affines (fresh: mean 0, variance 1, γ 1, β 0) and self-attention's
 * γ (fresh: 0) with seeded values, so that they matter, and widens attention's query and key
 * projections (fresh: std 0.02, a near-uniform softmax) so that the attention is peaked.
 */
function randomiseNorms(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const values = tf.tidy(() =>
      weights.map((w, i) => {
        const name = w.originalName;
        const shape = w.shape as number[];
        if (/moving_variance|gamma/.test(name)) return tf.randomUniform(shape, 0.5, 1.5, 'float32', seed + i);
        if (/moving_mean|beta/.test(name)) return tf.randomUniform(shape, -0.3, 0.3, 'float32', seed + i);
        if (/query_kernel|key_kernel/.test(name)) return tf.randomNormal(shape, 0, 1, 'float32', seed + i);
        return w.read().clone();
      }),
    );
    layer.setWeights(values);
    tf.dispose(values);
  }
}

async function onnxPredict(bytes: Uint8Array, input: tf.Tensor4D): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, executionProviders: ['cpu'] });
  try {
    const result = await session.run({ input: new ort.Tensor('float32', input.dataSync() as Float32Array, input.shape) });
    const output = result.output;
    assert.ok(output, 'the ONNX model has an output named "output"');
    return { data: output.data as Float32Array, dims: output.dims };
  } finally {
    await session.release();
  }
}

/** Max abs difference of tfjs and ONNX Runtime on a seeded [-1, 1] batch; asserts the shapes agree. */
async function maxAbsDifference(model: tf.LayersModel, bytes: Uint8Array, shape: [number, number, number, number], seed: number): Promise<number> {
  const input = tf.randomUniform(shape, -1, 1, 'float32', seed) as tf.Tensor4D;
  const expected = tf.tidy(() => model.predict(input) as tf.Tensor4D);
  const actual = await onnxPredict(bytes, input);
  assert.deepEqual(actual.dims, expected.shape, 'output shape');
  const want = expected.dataSync();
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(want[i]! - actual.data[i]!));
  tf.dispose([input, expected]);
  return max;
}

interface ServedCase {
  title: string;
  architecture: string;
  options: Record<string, unknown>;
  /** Two H×W each a multiple of the architecture's served multiple, one not square; a letterboxed one's input size only. */
  sizes: [number, number][];
}

const served: ServedCase[] = [
  // The shipped sketch and toon styles upsample by resize.
  {
    title: 'pix2pix-unetpp, resize upsampling (sketch, toon)',
    architecture: 'pix2pix-unetpp',
    options: { upsample: 'resize' },
    sizes: [
      [16, 16],
      [32, 48],
    ],
  },
  {
    title: 'pix2pix-unetpp, transposed convs',
    architecture: 'pix2pix-unetpp',
    options: { upsample: 'transpose' },
    sizes: [
      [16, 16],
      [48, 32],
    ],
  },
  {
    title: 'animegan, layer norm (anime)',
    architecture: 'animegan',
    options: {},
    sizes: [
      [12, 20],
      [32, 32],
    ],
  },
  {
    title: 'animegan, instance norm',
    architecture: 'animegan',
    options: { norm: 'instance' },
    sizes: [
      [20, 12],
      [16, 16],
    ],
  },
  // The zoo's references (bench:models compares them with PyTorch).
  {
    title: 'pix2pix U-Net',
    architecture: 'pix2pix',
    options: {},
    sizes: [
      [32, 32],
      [64, 32],
    ],
  },
  {
    title: 'cyclegan ResNet',
    architecture: 'cyclegan',
    options: {},
    sizes: [
      [16, 24],
      [32, 32],
    ],
  },
  // Letterboxed: self-attention in both paths at 4×4 (16 positions).
  { title: 'cyclegan-unet-sa, self-attention', architecture: 'cyclegan-unet-sa', options: { attention: 'both' }, sizes: [[16, 16]] },
];

for (const [index, c] of served.entries()) {
  describe(`exports ${c.title}`, () => {
    let model: tf.LayersModel;
    let bytes: Uint8Array;

    before(async () => {
      const arch = getArchitecture(c.architecture);
      const options = arch.options.parse({ ...arch.testOptions, ...c.options }) as Record<string, unknown>;
      const nets = arch.build(options);
      const generator = nets.generators[arch.served]!;
      randomiseNorms(generator, 1000 + index);
      const meta = await saveGenerator(store, generator, { style: `onnx${index}`, architecture: arch.name, inputSize: arch.inputSize(options), options });
      disposeNetworks(nets);
      ({ model } = await loadLayersModel(store, meta.style, meta.version));
      const before = tf.memory().numTensors;
      ({ bytes } = exportLayersModelToOnnx(model, { style: meta.style, version: meta.version }));
      assert.equal(tf.memory().numTensors, before, 'the export leaves no tensors behind');
    });

    after(() => model.dispose());

    for (const batch of [1, 3]) {
      for (const [s, [h, w]] of c.sizes.entries()) {
        it(`matches tfjs at batch ${batch}, ${h}×${w}`, async () => {
          const difference = await maxAbsDifference(model, bytes, [batch, h, w, 3], 10 * batch + s);
          assert.ok(difference <= tolerance, `max abs difference ${difference} > ${tolerance}`);
        });
      }
    }
  });
}

describe('exports the layers the shipped styles do not use', () => {
  // Strided 'same' conv at odd sizes, a batch norm that cannot be folded (its conv has two
  // readers), a folded one after a depthwise conv with multiplier 2, non-affine instance
  // norm, asymmetric zero padding, valid transposed conv, nearest and zero-edge blur
  // upsampling, a capped ReLU, the other activations, concat, add and dropout.
  let model: tf.LayersModel;
  let bytes: Uint8Array;
  let foldedNorms: number;

  before(() => {
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
    const input = tf.input({ shape: [null, null, 3] });
    const strided = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'strided' }), input);
    const shared = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'shared' }), strided);
    const unfolded = apply(tf.layers.batchNormalization({ name: 'unfolded_bn' }), shared);
    const sum = apply(tf.layers.add({ name: 'sum' }), [unfolded, shared]);
    const depthwise = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'depthwise' }), sum);
    const folded = apply(tf.layers.batchNormalization({ name: 'folded_bn', epsilon: 1e-5 }), depthwise);
    const normed = apply(new InstanceNorm({ name: 'instance' }), folded);
    const padded = apply(
      tf.layers.zeroPadding2d({
        padding: [
          [1, 0],
          [0, 2],
        ],
        name: 'zero_pad',
      }),
      normed,
    );
    const deconv = apply(tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', name: 'deconv' }), padded);
    const dropped = apply(tf.layers.dropout({ rate: 0.5, name: 'dropout' }), deconv);
    const nearest = apply(tf.layers.upSampling2d({ size: [2, 2], name: 'nearest' }), dropped);
    const blurred = apply(new BlurUpsample({ edges: 'zero', name: 'blur' }), dropped);
    const nearestCapped = apply(tf.layers.reLU({ maxValue: 0.5, name: 'capped' }), nearest);
    const joined = apply(tf.layers.concatenate({ name: 'joined' }), [nearestCapped, blurred]);
    const activated = (['elu', 'selu', 'softplus', 'hardSigmoid'] as const).reduce((x, activation) => apply(tf.layers.activation({ activation, name: activation }), x), joined);
    const output = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'sigmoid', name: 'out' }), activated);
    model = tf.model({ inputs: input, outputs: output });
    randomiseNorms(model, 7);
    ({ bytes, foldedNorms } = exportLayersModelToOnnx(model));
  });

  after(() => model.dispose());

  it('folds only the batch norm whose conv has no other reader', () => {
    assert.equal(foldedNorms, 1);
  });

  for (const [batch, h, w] of [
    [1, 13, 10],
    [3, 8, 8],
  ] as const) {
    it(`matches tfjs at batch ${batch}, ${h}×${w}`, async () => {
      const difference = await maxAbsDifference(model, bytes, [batch, h, w, 3], batch);
      assert.ok(difference <= tolerance, `max abs difference ${difference} > ${tolerance}`);
    });
  }
});

it('refuses a layer it cannot export, naming its class and name', () => {
  const input = tf.input({ shape: [null, null, 3] });
  const pooled = tf.layers.maxPooling2d({ poolSize: 2, name: 'G_pool' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: pooled });
  assert.throws(
    () => exportLayersModelToOnnx(model),
    (error: unknown) => error instanceof UnsupportedLayerError && error.message.includes('G_pool (MaxPooling2D)'),
  );
  model.dispose();
});

describe('int8 export', () => {
  // Convs with Glorot weights (outputs that span the range, so that quantization error shows),
  // a folded batch norm and a transposed conv (a sub-pixel conv), calibrated on smooth seeded
  // images and checked on others.
  let model: tf.LayersModel;
  const images = (count: number, seed: number): ImageBatch[] =>
    Array.from({ length: count }, (_, i) =>
      tf.tidy(() => {
        const coarse = tf.randomUniform([1, 4, 4, 3], -1, 1, 'float32', seed + i);
        const image = tf.image.resizeBilinear(coarse as tf.Tensor4D, [32, 32]);
        return { data: image.dataSync() as Float32Array, dims: [1, 32, 32, 3] as [number, number, number, number] };
      }),
    );

  before(() => {
    const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
    const seeded = (seed: number) => tf.initializers.glorotUniform({ seed });
    const input = tf.input({ shape: [null, null, 3] });
    let x = apply(tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeded(1) }), input);
    x = apply(tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeded(2) }), x);
    x = apply(tf.layers.conv2dTranspose({ filters: 16, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: seeded(3) }), x);
    x = apply(tf.layers.reLU(), apply(tf.layers.batchNormalization(), x));
    x = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: seeded(4) }), x);
    model = tf.model({ inputs: input, outputs: x });
    randomiseNorms(model, 77);
  });

  after(() => model.dispose());

  it('stays within the PSNR guard of float32 on held-out images, with int8 kernels', async () => {
    const float32 = exportLayersModelToOnnx(model).bytes;
    const int8 = await exportInt8(model, { calibration: images(4, 100), heldOut: images(3, 200), valueRange: [-1, 1], threads: 1 });
    assert.equal(int8.heldOutImages, 3);
    assert.ok(int8.worstPsnrDb >= int8MinPsnrDb, `worst held-out PSNR ${int8.worstPsnrDb.toFixed(1)} dB < ${int8MinPsnrDb} dB`);
    assert.ok(int8.psnrDb >= int8.worstPsnrDb);
    // int8 weights: about a quarter of the float32 file.
    assert.ok(int8.bytes.byteLength < 0.5 * float32.byteLength, `int8 ${int8.bytes.byteLength} B vs float32 ${float32.byteLength} B`);
  });
});
