import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../trainer/tf/register-training-kernels.js';
import type { Networks } from '../../gan/architecture.js';
import { ModulatedConv } from '../../shared/layers/modulated-conv.js';
import { ldsgan, ldsganOptions, type LdsganOptions } from '../../gan/ldsgan/ldsgan.js';

const testOptions = (extra: Partial<LdsganOptions> = {}) => ldsganOptions.parse({ ...ldsgan.testOptions, ...extra });

function disposeNets(nets: Networks): void {
  for (const model of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) model.dispose();
}

const layerNames = (model: tf.LayersModel) => model.layers.map((l) => l.name);
const modulatedConvs = (model: tf.LayersModel) => model.layers.filter((l) => l instanceof ModulatedConv).length;
const weightCount = (model: tf.LayersModel, prefix: RegExp) => model.layers.filter((l) => prefix.test(l.name)).reduce((n, l) => n + l.countParams(), 0);

before(async () => {
  await tf.setBackend('cpu');
});

describe('ldsgan options', () => {
  it("parse({}) is the paper's configuration", () => {
    const o = ldsganOptions.parse({});
    assert.equal(o.imageSize, 512);
    assert.equal(o.baseChannels, 64);
    assert.equal(o.codeSize, 512);
    assert.equal(o.rtrs, 'full');
    assert.deepEqual([o.lambdaAdversarial, o.lambdaHue, o.lambdaSoftSketch, o.lambdaHardSketch], [1, 10, 10, 1]);
    assert.equal(o.gradientPenaltyEvery, 16);
  });

  it('rejects an image size the downsamplings do not divide', () => {
    assert.throws(() => ldsganOptions.parse({ imageSize: 100, downsamplings: 4 }), /2\^downsamplings/);
  });
});

describe('ldsgan at paper size', () => {
  it('builds a 512 px generator with 64 Rich Init channels, 512-long route codes and N modulated blocks', () => {
    const o = ldsganOptions.parse({});
    const nets = ldsgan.build(o);
    const G = nets.generators.G!;
    const D = nets.discriminators.D!;
    assert.deepEqual(G.inputs[0]!.shape, [null, 512, 512, 3]);
    assert.deepEqual(G.outputs[0]!.shape, [null, 512, 512, 3]);
    assert.deepEqual(D.outputs[0]!.shape, [null, 64, 64, 1]);
    assert.deepEqual(G.getLayer('rich_init').outputShape, [null, 512, 512, 64]);
    assert.deepEqual(G.getLayer('ldtnet_block0_add').outputShape, [null, 32, 32, 512]);
    for (let i = 0; i < o.downsamplings; i++) assert.deepEqual(G.getLayer(`rtrs${i}_fc3`).outputShape, [null, 512]);
    assert.equal(modulatedConvs(G), 3 * o.downsamplings);
    console.log(`ldsgan paper size: G ${G.countParams()} parameters, D ${D.countParams()}`);
    disposeNets(nets);
  });
});

describe('ldsgan RTRS ablation', () => {
  const builds = Object.fromEntries((['full', 'one', 'none'] as const).map((rtrs) => [rtrs, ldsgan.build(testOptions({ rtrs }))]));
  const G = (rtrs: string) => builds[rtrs]!.generators.G!;
  const n = testOptions().downsamplings;

  it('full: one RTRS per SABlock, each with one route code', () => {
    const names = layerNames(G('full'));
    for (let i = 0; i < n; i++) assert.ok(names.includes(`rtrs${i}_encoder_patches`) && names.includes(`rtrs${i}_fc3`));
    assert.equal(modulatedConvs(G('full')), 3 * n);
  });

  it('one: a single RTRS whose Scale Block emits every SABlock code', () => {
    const names = layerNames(G('one'));
    assert.equal(names.filter((name) => name.endsWith('_encoder_patches')).length, 1);
    assert.equal(names.filter((name) => /^rtrs_fc3_\d+$/.test(name)).length, n);
    assert.equal(modulatedConvs(G('one')), 3 * n);
  });

  it('none: no RTRS and plain convs in place of the modulated ones', () => {
    assert.equal(layerNames(G('none')).filter((name) => name.startsWith('rtrs')).length, 0);
    assert.equal(modulatedConvs(G('none')), 0);
  });

  it('leaves SDNet and LDTNet unchanged', () => {
    const encoder = /^(rich_init|sdnet_|ldtnet_)/;
    const counts = ['full', 'one', 'none'].map((rtrs) => weightCount(G(rtrs), encoder));
    assert.ok(counts[0]! > 0);
    assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
    for (const nets of Object.values(builds)) disposeNets(nets);
  });
});

describe('ldsgan at test size', () => {
  it('maps [N,S,S,3] to [-1,1] deterministically and round-trips save/load bit-identically', async () => {
    const o = testOptions();
    const nets = ldsgan.build(o);
    const G = nets.generators.G!;
    const x = tf.randomUniform([2, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 7);
    const y = G.predict(x) as tf.Tensor;
    const again = G.predict(x) as tf.Tensor;
    assert.deepEqual(y.shape, [2, o.imageSize, o.imageSize, 3]);
    assert.ok(tf.max(tf.abs(y)).dataSync()[0]! <= 1);
    assert.deepEqual(Array.from(again.dataSync()), Array.from(y.dataSync()));

    let saved: tf.io.ModelArtifacts | undefined;
    await G.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const restored = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(Array.from(restored.dataSync()), Array.from(y.dataSync()));
    tf.dispose([x, y, again, restored]);
    loaded.dispose();
    disposeNets(nets);
  });

  it("the generator's total is λ1·adversarial + λ2·hue + λ3·soft + λ4·hard sketch", () => {
    const o = testOptions({ lambdaAdversarial: 2, lambdaHue: 3, lambdaSoftSketch: 5, lambdaHardSketch: 7 });
    const nets = ldsgan.build(o);
    tf.tidy(() => {
      const batch = {
        a: tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 1) as tf.Tensor4D,
        b: tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 2) as tf.Tensor4D,
      };
      const { total, terms } = ldsgan.generatorObjective(nets, batch, o);
      const v = (t: tf.Scalar | undefined) => t!.dataSync()[0]!;
      assert.deepEqual(Object.keys(terms).sort(), ['adversarial', 'hardSketch', 'hue', 'softSketch']);
      const expected = 2 * v(terms.adversarial) + 3 * v(terms.hue) + 5 * v(terms.softSketch) + 7 * v(terms.hardSketch);
      assert.ok(Math.abs(v(total) - expected) < 1e-4 * Math.max(1, Math.abs(expected)));
    });
    disposeNets(nets);
  });

  it('applies the gradient penalty lazily, on every gradientPenaltyEvery-th critic step', () => {
    const o = testOptions({ gradientPenaltyEvery: 2 });
    const nets = ldsgan.build(o);
    const penalised = [0, 1, 2].map(() =>
      tf.tidy(() => {
        const batch = {
          a: tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 3) as tf.Tensor4D,
          b: tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 4) as tf.Tensor4D,
        };
        const { total, terms } = ldsgan.discriminatorObjective(nets, batch, o);
        const sum = Object.values(terms).reduce((s, t) => s + t.dataSync()[0]!, 0);
        assert.ok(Math.abs(total.dataSync()[0]! - sum) < 1e-3 * Math.max(1, Math.abs(sum)));
        return 'gradientPenalty' in terms;
      }),
    );
    assert.deepEqual(penalised, [true, false, true]);
    disposeNets(nets);
  });

  it('gives the same output, generator loss and gradients on the wasm backend (with the trainer kernels) as on cpu', async () => {
    const o = testOptions();
    const results: { output: Float32Array; loss: number; grads: Float32Array[] }[] = [];
    for (const backend of ['cpu', 'wasm']) {
      assert.ok(await tf.setBackend(backend));
      const nets = ldsgan.build(o);
      // Seeded weights (from 1: tfjs treats seed 0 as unseeded) so both backends run the same networks.
      const models = [...Object.values(nets.generators), ...Object.values(nets.discriminators)];
      tf.tidy(() => models.flatMap((m) => m.weights).forEach((w, i) => w.write(tf.randomNormal(w.read().shape, 0, 0.2, 'float32', i + 1))));
      const a = tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const b = tf.randomUniform([1, o.imageSize, o.imageSize, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
      const output = tf.tidy(() => (nets.generators.G!.predict(a) as tf.Tensor).dataSync() as Float32Array);
      const variables = nets.generators.G!.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => ldsgan.generatorObjective(nets, { a, b }, o).total, variables);
      results.push({ output, loss: value.dataSync()[0]!, grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array) });
      tf.dispose([a, b, value, ...Object.values(grads)]);
      disposeNets(nets);
    }
    await tf.setBackend('cpu');
    const [cpu, wasm] = results;
    cpu!.output.forEach((v, i) => assert.ok(Math.abs(v - wasm!.output[i]!) < 1e-4, `output ${i}: ${wasm!.output[i]} on wasm, ${v} on cpu`));
    assert.ok(Math.abs(wasm!.loss - cpu!.loss) < 1e-4 * Math.abs(cpu!.loss), `loss ${wasm!.loss} on wasm, ${cpu!.loss} on cpu`);
    cpu!.grads.forEach((expected, i) => {
      const actual = wasm!.grads[i]!;
      const norm = Math.hypot(...expected);
      const diff = Math.hypot(...expected.map((v, j) => v - actual[j]!));
      assert.ok(diff <= 1e-3 * norm + 1e-6, `gradient ${i} differs by ${diff} (norm ${norm})`);
    });
  });
});
