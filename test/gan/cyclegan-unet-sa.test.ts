import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Networks } from '../../gan/architecture.js';
import { cycleganUnetSa, cycleganUnetSaOptions, type CycleganUnetSaOptions } from '../../gan/cyclegan-unet-sa/cyclegan-unet-sa.js';
import { SelfAttention } from '../../shared/layers/self-attention.js';
import { trainableParamCount } from '../../gan/param-count.js';

before(async () => {
  await tf.setBackend('cpu');
});

function disposeAll(nets: Networks): void {
  for (const model of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) model.dispose();
}

const layersOf = (model: tf.LayersModel, className: string) => model.layers.filter((l) => l.getClassName() === className);
const spatial = (layer: tf.layers.Layer) => (layer.input as tf.SymbolicTensor).shape.slice(1, 3);
const consumers = (layer: tf.layers.Layer) => layer.outboundNodes.map((n) => n.outboundLayer.getClassName()).sort();

test('paper-size build: two 8-down/8-up U-Net generators 256→256 with attention at 32×32, two PatchGANs', () => {
  const options = cycleganUnetSaOptions.parse({});
  assert.equal(options.attention, 'both');
  const nets = cycleganUnetSa.build(options);
  assert.deepEqual(Object.keys(nets.generators).sort(), ['G_A', 'G_B']);
  assert.deepEqual(Object.keys(nets.discriminators).sort(), ['D_A', 'D_B']);
  const G = nets.generators[cycleganUnetSa.served]!;
  const D = nets.discriminators.D_A!;
  assert.deepEqual(G.inputs[0]!.shape, [null, 256, 256, 3]);
  assert.deepEqual(G.outputs[0]!.shape, [null, 256, 256, 3]);
  assert.equal(layersOf(G, 'Conv2D').length, 8);
  assert.equal(layersOf(G, 'Conv2DTranspose').length, 8);
  // Every down block but the 1×1 innermost and every hidden up block is normalised.
  assert.equal(layersOf(G, 'InstanceNorm').length, 7 + 7);
  assert.deepEqual(layersOf(G, 'SelfAttention').map(spatial), [
    [32, 32],
    [32, 32],
  ]);
  assert.deepEqual(D.outputs[0]!.shape, [null, 30, 30, 1]);
  assert.ok(layersOf(D, 'InstanceNorm').length > 0 && layersOf(D, 'SelfAttention').length === 0);
  console.log(`cyclegan-unet-sa at paper size: each generator ${trainableParamCount(G)} parameters, each discriminator ${trainableParamCount(D)}`);
  disposeAll(nets);
});

test('the attention option puts self-attention in the down path, the up path, both or neither', () => {
  // Paper layout (256 px, 8 blocks) at width 1, so the four variants build quickly.
  const variant = (attention: CycleganUnetSaOptions['attention']) => {
    const nets = cycleganUnetSa.build(cycleganUnetSaOptions.parse({ attention, ngf: 1, ndf: 1 }));
    const G = nets.generators.G_A!;
    const attentions = layersOf(G, 'SelfAttention');
    const result = { params: trainableParamCount(G), sizes: attentions.map(spatial), consumers: attentions.map(consumers) };
    disposeAll(nets);
    return result;
  };
  // In the down path the attended map feeds the next down conv and its skip; in the up path
  // it only feeds the skip concatenation.
  const down = ['Concatenate', 'Conv2D'];
  const up = ['Concatenate'];
  const none = variant('none');
  const downOnly = variant('down');
  const upOnly = variant('up');
  const both = variant('both');
  assert.deepEqual(none.consumers, []);
  assert.deepEqual(downOnly.consumers, [down]);
  assert.deepEqual(upOnly.consumers, [up]);
  assert.deepEqual(both.consumers, [down, up]);
  for (const v of [downOnly, upOnly, both]) assert.ok(v.sizes.every((s) => s[0] === 32 && s[1] === 32));
  assert.equal(both.params - none.params, downOnly.params - none.params + (upOnly.params - none.params));
  assert.ok(downOnly.params > none.params);
});

test('options default to the paper and reject sizes the U-Net cannot have', () => {
  const o = cycleganUnetSaOptions.parse({});
  assert.equal(o.imageSize, 256);
  assert.equal(o.blocks, 8);
  assert.equal(o.lambdaCycle * o.lambdaIdentity, 1, 'Eq. (1) weighs the identity loss by 1');
  assert.equal(cycleganUnetSaOptions.safeParse({ imageSize: 200 }).success, false);
  assert.equal(cycleganUnetSaOptions.safeParse({ attentionSize: 24 }).success, false);
  assert.equal(cycleganUnetSaOptions.safeParse({ attentionSize: 1 }).success, false, 'the up path has no 1×1 map');
  assert.equal(cycleganUnetSaOptions.safeParse({ attention: 'none', attentionSize: 24 }).success, true);
});

test('at test size the served generator translates deterministically into [-1, 1] with attention in its signal path', () => {
  const options = cycleganUnetSaOptions.parse(cycleganUnetSa.testOptions);
  const nets = cycleganUnetSa.build(options);
  const G = nets.generators.G_A!;
  const size = cycleganUnetSa.inputSize(options);
  const x = tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 7);
  const y = G.predict(x) as tf.Tensor;
  assert.deepEqual(y.shape, [2, size, size, 3]);
  assert.ok(tf.abs(y).max().dataSync()[0]! <= 1);
  const again = G.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(again.dataSync()), Array.from(y.dataSync()));
  for (const layer of G.layers.filter((l): l is SelfAttention => l instanceof SelfAttention)) {
    const weights = layer.getWeights();
    layer.setWeights([...weights.slice(0, -1).map((w, i) => tf.randomNormal(w.shape, 0, 1, 'float32', i)), tf.tensor([1])]);
  }
  const attended = G.predict(x) as tf.Tensor;
  assert.ok(tf.abs(attended.sub(y)).max().dataSync()[0]! > 1e-4, 'gamma ≠ 0 changes the translation');
  tf.dispose([x, y, again, attended]);
  disposeAll(nets);
});

test("the objectives are CycleGAN's with Eq. (1)'s weights: λ = 10 on cycles, 1 on identity; D losses halved", () => {
  const options = cycleganUnetSaOptions.parse(cycleganUnetSa.testOptions);
  const nets = cycleganUnetSa.build(options);
  const size = cycleganUnetSa.inputSize(options);
  tf.tidy(() => {
    const batch = { a: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D, b: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 2) as tf.Tensor4D };
    const g = cycleganUnetSa.generatorObjective(nets, batch, options);
    const d = cycleganUnetSa.discriminatorObjective(nets, batch, options);
    assert.deepEqual(Object.keys(g.terms).sort(), ['cycleA', 'cycleB', 'ganA', 'ganB', 'identityA', 'identityB']);
    assert.deepEqual(Object.keys(d.terms).sort(), ['fakeA', 'fakeB', 'realA', 'realB']);
    const sum = (terms: Record<string, tf.Scalar>) => Object.values(terms).reduce((s, t) => s + t.dataSync()[0]!, 0);
    assert.ok(Number.isFinite(sum(g.terms)) && Math.abs(g.total.dataSync()[0]! - sum(g.terms)) < 1e-4);
    assert.ok(Number.isFinite(sum(d.terms)) && Math.abs(d.total.dataSync()[0]! - sum(d.terms) / 2) < 1e-4);
    // Instance norm and no dropout: the training pass equals predict.
    const [G_A, G_B] = [nets.generators.G_A!, nets.generators.G_B!];
    const meanAbs = (x: tf.Tensor, y: tf.Tensor) => tf.mean(tf.abs(x.sub(y))).dataSync()[0]!;
    const cycled = G_B.predict(G_A.predict(batch.a)) as tf.Tensor;
    assert.ok(Math.abs(g.terms.cycleA!.dataSync()[0]! - 10 * meanAbs(cycled, batch.a)) < 1e-4);
    assert.ok(Math.abs(g.terms.identityA!.dataSync()[0]! - meanAbs(G_A.predict(batch.b) as tf.Tensor, batch.b)) < 1e-5);
  });
  disposeAll(nets);
});
