import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadFeatureNetwork, randomFeatureNetwork, type FeatureNetwork } from '../../gan/losses/feature-network.js';
import { multiScalePerceptualLoss, perceptualLoss } from '../../gan/losses/perceptual.js';

function value(f: () => tf.Scalar): number {
  const s = tf.tidy(f);
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
}

function close(actual: number, expected: number, tolerance = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

/** A feature network whose layers are x and 2x: the perceptual loss becomes a plain pixel loss. */
const scaledIdentity: FeatureNetwork = {
  name: 'identity',
  layers: ['x', '2x'],
  extract: (x) => [x.clone(), x.mul(2)],
};

const image = (values: number[]) => tf.tensor4d(values, [1, 2, 2, 1]);

before(async () => {
  await tf.setBackend('cpu');
});

describe('perceptualLoss', () => {
  const fake = () => image([1, -1, 0.5, 0]);
  const real = () => image([0, 0, 0, 0.5]);

  it('is the weighted sum over layers of the mean L1 distance of the features', () => {
    // |fake − real| = 1, 1, 0.5, 0.5: mean 0.75 on x, 1.5 on 2x.
    close(
      value(() => perceptualLoss(scaledIdentity, fake(), real(), { layerWeights: [1, 0] })),
      0.75,
    );
    close(
      value(() => perceptualLoss(scaledIdentity, fake(), real(), { layerWeights: [1, 0.5] })),
      0.75 + 0.5 * 1.5,
    );
    close(
      value(() => perceptualLoss(scaledIdentity, fake(), real())),
      0.75 + 1.5,
    );
  });

  it('uses the mean squared distance when asked', () => {
    // (fake − real)² = 1, 1, 0.25, 0.25: mean 0.625 on x, 4·0.625 on 2x.
    close(
      value(() => perceptualLoss(scaledIdentity, fake(), real(), { distance: 'l2', layerWeights: [1, 0.5] })),
      0.625 + 0.5 * 2.5,
    );
  });

  it('is zero for identical images and positive otherwise, through the random feature network', () => {
    const net = randomFeatureNetwork();
    const a = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const b = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    assert.equal(
      value(() => perceptualLoss(net, a, a.clone())),
      0,
    );
    assert.ok(value(() => perceptualLoss(net, a, b)) > 0);
    tf.dispose([a, b]);
    net.dispose();
  });

  it('rejects layer weights that do not match the layers', () => {
    assert.throws(() => perceptualLoss(scaledIdentity, fake(), real(), { layerWeights: [1] }), /1 layer weights for the 2 layers of identity/);
  });
});

describe('multiScalePerceptualLoss', () => {
  it('sums the perceptual loss of every scale', () => {
    const loss = value(() =>
      multiScalePerceptualLoss(
        scaledIdentity,
        [
          { fake: image([1, -1, 0.5, 0]), real: image([0, 0, 0, 0.5]) },
          { fake: tf.tensor4d([0.2], [1, 1, 1, 1]), real: tf.tensor4d([-0.3], [1, 1, 1, 1]) },
        ],
        { layerWeights: [1, 0] },
      ),
    );
    close(loss, 0.75 + 0.5);
  });
});

describe('randomFeatureNetwork', () => {
  it('is a seeded pyramid: same seed, same features; another seed, other features', () => {
    const x = tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    const [first, again, other] = [randomFeatureNetwork({ seed: 7 }), randomFeatureNetwork({ seed: 7 }), randomFeatureNetwork({ seed: 8 })];
    assert.match(first.name, /seed=7/);
    assert.deepEqual(first.layers, ['stage1', 'stage2', 'stage3', 'stage4']);
    const features = first.extract(x);
    assert.deepEqual(
      features.map((f) => f.shape),
      [
        [1, 32, 32, 32],
        [1, 16, 16, 64],
        [1, 8, 8, 128],
        [1, 4, 4, 128],
      ],
    );
    const last = (net: FeatureNetwork) => tf.tidy(() => net.extract(x).at(-1)!);
    const [f7, f7again, f8] = [last(first), last(again), last(other)];
    assert.deepEqual(f7.dataSync(), f7again.dataSync());
    assert.notDeepEqual(f7.dataSync(), f8.dataSync());
    assert.ok(value(() => tf.max(f7) as tf.Scalar) > 0, 'the deepest features are not all zero');
    tf.dispose([x, ...features, f7, f7again, f8]);
    [first, again, other].forEach((net) => net.dispose());
  });

  it('keeps every stage at least one pixel on inputs smaller than its pyramid', () => {
    const net = randomFeatureNetwork();
    const features = net.extract(tf.ones([1, 3, 3, 3]));
    assert.deepEqual(
      features.map((f) => f.shape.slice(1, 3)),
      [
        [3, 3],
        [2, 2],
        [1, 1],
        [1, 1],
      ],
    );
    assert.ok(features.every((f) => f.dataSync().every(Number.isFinite)));
    tf.dispose(features);
    net.dispose();
  });

  it('passes gradients to its input and leaks no tensors', () => {
    const net = randomFeatureNetwork();
    const real = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const fake = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const gradient = tf.grad((x: tf.Tensor) => perceptualLoss(net, x as tf.Tensor4D, real))(fake);
    assert.ok(value(() => tf.sum(tf.abs(gradient))) > 0);
    gradient.dispose();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([real, fake]);
    net.dispose();
  });
});

describe('loadFeatureNetwork', () => {
  let dir = '';

  /**
   * Writes a converted-looking tfjs layers model (model.json + two weight shards, the split
   * falling inside a tensor) whose layer `block1_conv1` is a 1×1 conv with known weights:
   * out = relu(Σ_c w_c·in_c + 50) with w = (1, −1, 0.5).
   */
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'feature-network-'));
    const input = tf.input({ shape: [null, null, 3] });
    const conv = tf.layers.conv2d({ name: 'block1_conv1', filters: 1, kernelSize: 1, activation: 'relu' });
    const pooled = tf.layers.maxPooling2d({ name: 'block1_pool', poolSize: 2 }).apply(conv.apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: pooled });
    conv.setWeights([tf.tensor4d([1, -1, 0.5], [1, 1, 3, 1]), tf.tensor1d([50])]);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts!.weightData));
    await writeFile(path.join(dir, 'group1-shard1of2.bin'), weights.subarray(0, 6));
    await writeFile(path.join(dir, 'group1-shard2of2.bin'), weights.subarray(6));
    const manifest = [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts!.weightSpecs! }];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: artifacts!.modelTopology, weightsManifest: manifest }));
    model.dispose();
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // One pixel in [-1, 1] → RGB in 0..1 = (0.75, 0.5, 0.25).
  const pixel = () => tf.tensor4d([0.5, 0, -0.5], [1, 1, 1, 3]);

  it('taps the named layers, after Keras (caffe) preprocessing: BGR, 0..255, minus the ImageNet means', async () => {
    const net = await loadFeatureNetwork(dir, { layers: ['block1_conv1'], name: 'tiny' });
    assert.equal(net.name, 'tiny');
    // BGR − mean = (63.75 − 103.939, 127.5 − 116.779, 191.25 − 123.68) = (−40.189, 10.721, 67.57).
    const expected = Math.max(0, -40.189 - 10.721 + 0.5 * 67.57 + 50);
    const [feature] = net.extract(pixel());
    assert.deepEqual(feature!.shape, [1, 1, 1, 1]);
    close(feature!.dataSync()[0]!, expected, 1e-4);
    feature!.dispose();
    net.dispose();
  });

  it('applies torchvision preprocessing when asked, and reports the model directory as its name', async () => {
    const net = await loadFeatureNetwork(dir, { layers: ['block1_conv1'], preprocessing: 'torch' });
    assert.equal(net.name, `${path.basename(dir)} (torch)`);
    const standardised = [(0.75 - 0.485) / 0.229, (0.5 - 0.456) / 0.224, (0.25 - 0.406) / 0.225];
    const [feature] = net.extract(pixel());
    close(feature!.dataSync()[0]!, Math.max(0, standardised[0]! - standardised[1]! + 0.5 * standardised[2]! + 50), 1e-4);
    feature!.dispose();
    net.dispose();
  });

  it('freezes the loaded weights: a loss through it has no trainable variable to update', async () => {
    const net = await loadFeatureNetwork(dir, { layers: ['block1_conv1'] });
    assert.throws(() => tf.variableGrads(() => tf.sum(net.extract(pixel())[0]!) as tf.Scalar), /none of the \d+ variables is trainable/);
    net.dispose();
  });

  it('says which layers exist when asked for a missing one', async () => {
    await assert.rejects(loadFeatureNetwork(dir, { layers: ['block9_conv1'] }), /no layer\(s\) block9_conv1; it has .*block1_conv1/);
  });
});
