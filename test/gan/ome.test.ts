import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../trainer/tf/register-training-kernels.js';
import { seedMathRandom } from '../../trainer/training/seeded-math-random.js';
import type { Networks } from '../../gan/architecture.js';
import { DynamicFusion } from '../../shared/layers/dynamic-fusion.js';
import { activeFeatureNetwork } from '../../gan/losses/feature-network.js';
import { ModulatedConv } from '../../shared/layers/modulated-conv.js';
import { ome } from '../../gan/ome/ome.js';
import { omePretrain } from '../../gan/ome-pretrain/ome-pretrain.js';
import { trackAverageCode } from '../../gan/ome/average-code.js';
import { averageCodeLayer } from '../../gan/ome/networks.js';
import { offsetIterations } from '../../gan/ome/offset-iterations.js';
import type { OmeOptions } from '../../gan/ome/options.js';
import { adoptPretrainedWeights } from '../../gan/ome/pretrained.js';
import { trainableParamCount } from '../../gan/param-count.js';
import { createTrainStep } from '../../gan/train-step.js';

const testOptions = (overrides: Partial<OmeOptions> = {}): OmeOptions => ome.options.parse({ ...ome.testOptions, ...overrides });

function dispose(nets: Networks): void {
  for (const model of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) model.dispose();
}

function generator(nets: Networks, name: string): tf.LayersModel {
  const model = nets.generators[name];
  if (!model) throw new Error(`no generator ${name}`);
  return model;
}

/** The input shape of a (possibly shared) layer's first use. */
function inputShape(model: tf.LayersModel, layer: string): tf.Shape {
  const input = model.getLayer(layer).getInputAt(0);
  return (Array.isArray(input) ? input[0]! : input).shape;
}

/** Copies of the weights of the layers whose names start with `prefix`. */
function snapshot(model: tf.LayersModel, prefix: string): Float32Array[] {
  return model.layers.filter((l) => l.name.startsWith(prefix)).flatMap((l) => l.getWeights().map((w) => w.dataSync().slice() as Float32Array));
}

function changed(before: Float32Array[], after: Float32Array[]): boolean {
  assert.equal(before.length, after.length);
  return before.some((w, i) => w.some((v, j) => v !== after[i]![j]));
}

function maxDifference(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]!);
}

const images = (n: number, size: number, seed: number) => tf.randomUniform([n, size, size, 3], -1, 1, 'float32', seed) as tf.Tensor4D;

// wasm with the trainer's kernels, as the trainer runs: the cpu backend's filter gradient is far slower.
before(async () => {
  assert.ok(await tf.setBackend('wasm'));
});

describe('OME at the paper configuration', () => {
  it('maps 256² to 256² with 14 codes of 512 from x ∥ ŷ over a frozen StyleGAN2, no discriminator', (t) => {
    const options = ome.options.parse({});
    const nets = ome.build(options);
    const served = generator(nets, ome.served);
    const encoder = generator(nets, 'encoder');
    const synthesis = generator(nets, 'synthesis');
    assert.deepEqual(served.inputs[0]!.shape, [null, 256, 256, 3]);
    assert.deepEqual(served.outputs[0]!.shape, [null, 256, 256, 3]);
    assert.deepEqual(encoder.inputs[0]!.shape, [null, 256, 256, 6]);
    assert.deepEqual(encoder.outputs[0]!.shape, [null, 14, 512]);
    assert.deepEqual(Object.keys(nets.discriminators), []);
    assert.equal(trainableParamCount(synthesis), 0);
    assert.equal(trainableParamCount(served), trainableParamCount(encoder));
    for (const [name, model] of Object.entries(nets.generators)) {
      t.diagnostic(`${name}: ${model.countParams()} parameters, ${trainableParamCount(model)} trainable`);
    }
    dispose(nets);
  });
});

describe('OME ablation switches', () => {
  it('without offsets, one encoder pass on the condition alone and no average codes', () => {
    const nets = ome.build(testOptions({ offsets: false }));
    assert.deepEqual(generator(nets, 'encoder').inputs[0]!.shape, [null, 16, 16, 3]);
    assert.equal(averageCodeLayer(nets), undefined);
    dispose(nets);
    const withOffsets = ome.build(testOptions());
    assert.deepEqual(generator(withOffsets, 'encoder').inputs[0]!.shape, [null, 16, 16, 6]);
    assert.ok(averageCodeLayer(withOffsets));
    dispose(withOffsets);
  });

  it('multi-scale codes read coarse, middle and fine FPN levels; multiple codes all read the coarsest map', () => {
    // 32² images: 8 style codes; backbone maps c1, c2, c3 at 8², 4², 2².
    const multiScale = generator(ome.build(testOptions({ imageSize: 32 })), 'encoder');
    assert.deepEqual(multiScale.outputs[0]!.shape, [null, 8, 8]);
    assert.deepEqual(inputShape(multiScale, 'enc_f2c0_conv1'), [null, 2, 2, 8]);
    assert.deepEqual(inputShape(multiScale, 'enc_f2c3_conv1'), [null, 4, 4, 8]);
    assert.deepEqual(inputShape(multiScale, 'enc_f2c7_conv1'), [null, 8, 8, 8]);
    const multiple = generator(ome.build(testOptions({ imageSize: 32, codes: 'multiple' })), 'encoder');
    assert.deepEqual(multiple.outputs[0]!.shape, [null, 8, 8]);
    assert.ok(!multiple.layers.some((l) => l.name.includes('fpn')));
    // Without FPN every head reads c3 itself: 2², 8·encoderWidth = 32 channels.
    for (const head of [0, 3, 7]) assert.deepEqual(inputShape(multiple, `enc_f2c${head}_conv1`), [null, 2, 2, 32]);
    const single = generator(ome.build(testOptions({ imageSize: 32, codes: 'single' })), 'encoder');
    assert.deepEqual(single.outputs[0]!.shape, [null, 1, 8]);
    for (const model of [multiScale, multiple, single]) model.dispose();
  });

  it('a style generator takes codes as modulation styles; a top-injected one fuses its M maps dynamically or by average', () => {
    const style = ome.build(testOptions());
    assert.ok(generator(style, ome.served).layers.some((l) => l instanceof ModulatedConv));
    const fusionOf = (nets: Networks) => generator(nets, ome.served).layers.find((l) => l instanceof DynamicFusion);
    assert.equal(fusionOf(style), undefined);
    const dynamic = ome.build(testOptions({ generator: 'top-injected' }));
    assert.equal(generator(dynamic, 'encoder').outputs[0]!.shape[1], 4);
    assert.equal(fusionOf(dynamic)?.trainableWeights.length, 2);
    assert.ok(!generator(dynamic, ome.served).layers.some((l) => l instanceof ModulatedConv));
    const average = ome.build(testOptions({ generator: 'top-injected', dynamicFusion: false }));
    assert.equal(fusionOf(average)?.weights.length, 0);
    const single = ome.build(testOptions({ generator: 'top-injected', codes: 'single' }));
    assert.equal(fusionOf(single), undefined);
    for (const nets of [style, dynamic, average, single]) dispose(nets);
  });
});

describe('OME translation', () => {
  for (const kind of ['style', 'top-injected'] as const) {
    it(`serves Algorithm 1 unrolled: N offset steps from the average codes (${kind})`, async () => {
      const options = testOptions({ generator: kind, imageSize: 32, steps: 2 });
      const nets = ome.build(options);
      const served = generator(nets, ome.served);
      const x = images(2, 32, 1);
      const y = served.predict(x) as tf.Tensor4D;
      assert.deepEqual(y.shape, [2, 32, 32, 3]);
      assert.ok(tf.tidy(() => tf.max(tf.abs(y)).dataSync()[0]!) <= 1);
      const again = served.predict(x) as tf.Tensor4D;
      assert.equal(maxDifference(y, again), 0);
      const steps = offsetIterations(nets, x, options, false);
      assert.equal(steps.length, 2);
      assert.equal(maxDifference(y, steps[1]!), 0);
      assert.ok(maxDifference(steps[0]!, steps[1]!) > 1e-4, 'the second step should change the image');
      const other = served.predict(images(2, 32, 2)) as tf.Tensor4D;
      assert.ok(maxDifference(y, other) > 1e-4, 'another condition should give another image');
      let saved: tf.io.ModelArtifacts | undefined;
      await served.save(
        tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const reloaded = loaded.predict(x) as tf.Tensor4D;
      assert.equal(maxDifference(y, reloaded), 0);
      tf.dispose([x, y, again, other, reloaded, ...steps]);
      loaded.dispose();
      dispose(nets);
    });
  }
});

describe('OME memory', () => {
  it('disposing every network frees every weight, and so does disposing a loaded served model', async () => {
    activeFeatureNetwork();
    for (const kind of ['style', 'top-injected'] as const) {
      const start = tf.memory().numTensors;
      const nets = omePretrain.build(testOptions({ generator: kind, steps: 2 }));
      let saved: tf.io.ModelArtifacts | undefined;
      await generator(nets, omePretrain.served).save(
        tf.io.withSaveHandler(async (artifacts) => {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      dispose(nets);
      assert.equal(tf.memory().numTensors, start, `${kind}: tensors left after disposing the networks`);
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      loaded.dispose();
      assert.equal(tf.memory().numTensors, start, `${kind}: tensors left after disposing the loaded model`);
    }
  });
});

describe('OME training', () => {
  it('trains the encoder and fusion module, never the pretrained generator', () => {
    // Fixed initial weights. With some initialisations (seed 7, say) the top-injected
    // generator's fusion gradient vanishes and wasm steps slow down ~20×; that is an open
    // question about OME at this tiny test size, not what this test is about.
    seedMathRandom(2);
    const options = testOptions({ generator: 'top-injected', adversarialWeight: 0.1 });
    const nets = ome.build(options);
    const served = generator(nets, ome.served);
    const before = { generator: snapshot(served, 'gen_'), encoder: snapshot(served, 'enc_'), fusion: snapshot(served, 'ome_fusion') };
    const discriminatorBefore = snapshot(nets.discriminators.D_uncond!, 'd_');
    const step = createTrainStep(ome, nets, options, { lr: 1e-3, beta1: 0.5 });
    const batch = { a: images(2, 16, 3), b: images(2, 16, 4) };
    for (let i = 0; i < 2; i++) {
      const losses = step.step(batch);
      for (const value of [...Object.values(losses.generator), ...Object.values(losses.discriminator)]) assert.ok(Number.isFinite(value));
      assert.deepEqual(Object.keys(losses.generator).sort(), ['adversarial', 'lpips', 'pixel', 'total']);
      assert.ok('r1' in losses.discriminator);
    }
    assert.ok(!changed(before.generator, snapshot(served, 'gen_')), 'the generator must stay frozen');
    assert.ok(changed(before.encoder, snapshot(served, 'enc_')));
    assert.ok(changed(before.fusion, snapshot(served, 'ome_fusion')));
    assert.ok(changed(discriminatorBefore, snapshot(nets.discriminators.D_uncond!, 'd_')));
    step.dispose();
    tf.dispose([batch.a, batch.b]);
    dispose(nets);
  });

  it('pretraining trains the unconditional generator and tracks its average code, not the encoder', () => {
    const options = testOptions();
    const nets = omePretrain.build(options);
    const served = generator(nets, omePretrain.served);
    const before = { generator: snapshot(served, 'gen_'), mapping: snapshot(generator(nets, 'mapping'), 'gen_'), encoder: snapshot(served, 'enc_') };
    const step = createTrainStep(omePretrain, nets, options, { lr: 1e-3, beta1: 0 });
    const batch = { a: images(2, 16, 5), b: images(2, 16, 6) };
    for (let i = 0; i < 2; i++) {
      const losses = step.step(batch);
      for (const value of [...Object.values(losses.generator), ...Object.values(losses.discriminator)]) assert.ok(Number.isFinite(value));
    }
    assert.ok(changed(before.generator, snapshot(served, 'gen_')));
    assert.ok(changed(before.mapping, snapshot(generator(nets, 'mapping'), 'gen_')));
    assert.ok(!changed(before.encoder, snapshot(served, 'enc_')), 'pretraining must leave the encoder alone');
    assert.ok(tf.tidy(() => tf.max(tf.abs(averageCodeLayer(nets)!.read())).dataSync()[0]!) > 0, 'the average code should have moved');
    step.dispose();
    tf.dispose([batch.a, batch.b]);
    dispose(nets);
  });

  it('the average code follows StyleGAN2 w̄ ← mean f(z) + decay · (w̄ − mean f(z))', () => {
    const options = testOptions({ averageCodeDecay: 0.5 });
    const nets = omePretrain.build(options);
    const average = averageCodeLayer(nets)!;
    const z = tf.randomNormal([4, options.codeSize], 0, 1, 'float32', 7) as tf.Tensor2D;
    const meanW = tf.tidy(() => tf.mean(generator(nets, 'mapping').predict(z) as tf.Tensor, 0));
    trackAverageCode(nets, z, options);
    trackAverageCode(nets, z, options);
    // From zero: 0.5·mean after one update, 0.75·mean after two; every code row the same.
    const expected = meanW.mul(0.75);
    const rows = tf.unstack(average.read());
    assert.equal(rows.length, 6);
    for (const row of rows) assert.ok(maxDifference(row, expected) < 1e-6);
    tf.dispose([z, meanW, expected, ...rows]);
    dispose(nets);
  });

  it('starts from the pretrained networks: every weight, the average codes included', () => {
    const options = testOptions({ adversarialWeight: 0.1 });
    const pretrained = omePretrain.build(options);
    const z = tf.randomNormal([4, options.codeSize], 0, 1, 'float32', 8) as tf.Tensor2D;
    trackAverageCode(pretrained, z, options);
    const target = ome.build(options);
    const x = images(1, 16, 9);
    const outputs = (nets: Networks) => [generator(nets, ome.served).predict(x), generator(nets, 'unconditional').predict(z), nets.discriminators.D_uncond!.predict(x)] as tf.Tensor[];
    const fresh = outputs(target);
    const expected = outputs(pretrained);
    assert.ok(maxDifference(fresh[0]!, expected[0]!) > 1e-4, 'independently built networks should differ');
    assert.ok(adoptPretrainedWeights(target, pretrained) > 0);
    outputs(target).forEach((y, i) => {
      assert.equal(maxDifference(y, expected[i]!), 0);
      y.dispose();
    });
    tf.dispose([z, x, ...fresh, ...expected]);
    dispose(pretrained);
    dispose(target);
  });
});
