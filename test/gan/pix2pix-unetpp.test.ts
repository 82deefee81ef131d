import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Networks } from '../../gan/architecture.js';
import { trainableParamCount } from '../../gan/param-count.js';
import { pix2pixUnetpp, pix2pixUnetppOptions } from '../../gan/pix2pix-unetpp/pix2pix-unetpp.js';
import { trainingForward } from '../../gan/training-forward.js';

before(async () => {
  await tf.setBackend('cpu');
});

function disposeAll(nets: Networks): void {
  for (const model of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) model.dispose();
}

const layersOf = (model: tf.LayersModel, className: string) => model.layers.filter((l) => l.getClassName() === className);
const inputChannels = (layer: tf.layers.Layer) => (layer.input as tf.SymbolicTensor).shape[3];

test('paper-size build: depth-8 U-Net++ 256→256 with all nested nodes, PatchGAN and differential PatchGAN', () => {
  const options = pix2pixUnetppOptions.parse({});
  assert.equal(options.depth, 8);
  const nets = pix2pixUnetpp.build(options);
  const G = nets.generators[pix2pixUnetpp.served]!;
  assert.deepEqual(G.inputs[0]!.shape, [null, 256, 256, 3]);
  assert.deepEqual(G.outputs[0]!.shape, [null, 256, 256, 3]);
  assert.equal(layersOf(G, 'Conv2D').length, 8);
  // Nodes X^{i,j} with j ≥ 1 and i + j ≤ 7: 28 up blocks, plus the RGB output block.
  const deconvs = layersOf(G, 'Conv2DTranspose');
  assert.equal(deconvs.length, 28 + 1);
  // The output block sees all eight top-level nodes (32 channels each), the U-Net's one skip
  // plus the seven nested ones.
  assert.equal(inputChannels(deconvs.at(-1)!), 8 * options.ngf);
  assert.equal(layersOf(G, 'Dropout').length, 28);
  assert.deepEqual(Object.keys(nets.discriminators).sort(), ['D', 'D_differ']);
  for (const D of Object.values(nets.discriminators)) {
    assert.deepEqual(D.inputs[0]!.shape, [null, 256, 256, 6]);
    assert.deepEqual(D.outputs[0]!.shape, [null, 30, 30, 1]);
  }
  console.log(`pix2pix-unetpp at paper size: generator ${trainableParamCount(G)} parameters, each discriminator ${trainableParamCount(nets.discriminators.D!)}`);
  disposeAll(nets);
});

test('ablation switches: U-Net instead of U-Net++, depth, and the second discriminator', () => {
  const summary = (overrides: Record<string, unknown>) => {
    const nets = pix2pixUnetpp.build(pix2pixUnetppOptions.parse({ ngf: 1, ndf: 1, ...overrides }));
    const G = nets.generators.G!;
    const result = {
      deconvs: layersOf(G, 'Conv2DTranspose').length,
      output: G.outputs[0]!.shape,
      discriminators: Object.keys(nets.discriminators).sort(),
    };
    disposeAll(nets);
    return result;
  };
  assert.deepEqual(summary({}), { deconvs: 29, output: [null, 256, 256, 3], discriminators: ['D', 'D_differ'] });
  assert.deepEqual(summary({ generator: 'unet' }), { deconvs: 8, output: [null, 256, 256, 3], discriminators: ['D', 'D_differ'] });
  assert.deepEqual(summary({ depth: 6 }), { deconvs: 15 + 1, output: [null, 256, 256, 3], discriminators: ['D', 'D_differ'] });
  assert.deepEqual(summary({ secondDiscriminator: 'none' }).discriminators, ['D']);
  assert.deepEqual(summary({ secondDiscriminator: 'conditional' }).discriminators, ['D', 'D_dual']);
});

test('options default to the paper and reject depths the image size cannot take', () => {
  const o = pix2pixUnetppOptions.parse({});
  assert.equal(o.generator, 'unet++');
  assert.equal(o.secondDiscriminator, 'differential');
  assert.equal(o.lambdaL1, 100);
  assert.equal(pix2pixUnetppOptions.safeParse({ depth: 9 }).success, false);
  assert.equal(pix2pixUnetppOptions.safeParse({ imageSize: 96 }).success, false);
  assert.equal(pix2pixUnetppOptions.safeParse({ imageSize: 96, depth: 5 }).success, true);
});

test('at test size the generator is deterministic in predict and uses dropout only in training', () => {
  const options = pix2pixUnetppOptions.parse(pix2pixUnetpp.testOptions);
  const nets = pix2pixUnetpp.build(options);
  const G = nets.generators.G!;
  const size = pix2pixUnetpp.inputSize(options);
  tf.tidy(() => {
    const x = tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 3);
    const y = G.predict(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, size, size, 3]);
    assert.ok(tf.abs(y).max().dataSync()[0]! <= 1);
    assert.deepEqual(Array.from((G.predict(x) as tf.Tensor).dataSync()), Array.from(y.dataSync()));
    const [t1, t2] = [trainingForward(G, x), trainingForward(G, x)];
    assert.ok(tf.abs(t1.sub(t2)).max().dataSync()[0]! > 1e-6, 'two training passes drop different units');
  });
  disposeAll(nets);
});

test('the objectives add the second discriminator term only when there is one', () => {
  const run = (secondDiscriminator: 'differential' | 'none') => {
    const options = pix2pixUnetppOptions.parse({ ...pix2pixUnetpp.testOptions, secondDiscriminator });
    const nets = pix2pixUnetpp.build(options);
    const size = pix2pixUnetpp.inputSize(options);
    const result = tf.tidy(() => {
      const batch = { a: tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D, b: tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 2) as tf.Tensor4D };
      const g = pix2pixUnetpp.generatorObjective(nets, batch, options);
      const d = pix2pixUnetpp.discriminatorObjective(nets, batch, options);
      const sum = (terms: Record<string, tf.Scalar>) => Object.values(terms).reduce((s, t) => s + t.dataSync()[0]!, 0);
      assert.ok(Math.abs(g.total.dataSync()[0]! - sum(g.terms)) < 1e-3);
      assert.ok(Math.abs(d.total.dataSync()[0]! - sum(d.terms) / 2) < 1e-4, 'discriminator losses are halved');
      return { g: Object.keys(g.terms).sort(), d: Object.keys(d.terms).sort() };
    });
    disposeAll(nets);
    return result;
  };
  assert.deepEqual(run('differential'), { g: ['gan', 'gan2', 'l1'], d: ['fake', 'fake2', 'real', 'real2'] });
  assert.deepEqual(run('none'), { g: ['gan', 'l1'], d: ['fake', 'real'] });
});
