import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../shared/layers/register-layers.js';
import '../../trainer/tf/register-training-kernels.js';
import type { Networks } from '../../gan/architecture.js';
import { pmsgan, type PmsganOptions } from '../../gan/pmsgan/pmsgan.js';
import { stageImageLayer, stageOutputs } from '../../gan/pmsgan/generator.js';

const testOptions = (overrides: Partial<PmsganOptions> = {}) => pmsgan.options.parse({ ...pmsgan.testOptions, ...overrides });
const allModulesOff = { eff: false, dff: false, csasp: false, mssa: false };
const size = testOptions().imageSize;

function disposeAll(nets: Networks): void {
  for (const model of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) model.dispose();
}

function generator(nets: Networks): tf.LayersModel {
  const G = nets.generators[pmsgan.served];
  assert.ok(G);
  return G;
}

function input(batch = 2): tf.Tensor4D {
  return tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 21) as tf.Tensor4D;
}

/**
 * Whether the generator's output `output` (0 = y^out, 1 and 2 = the half and quarter stage
 * images) is computed from the weights of layer `layer`, i.e. a gradient path joins them.
 */
function influences(overrides: Partial<PmsganOptions>, layer: string, output: 0 | 1 | 2): boolean {
  const options = testOptions(overrides);
  const nets = pmsgan.build(options);
  const G = generator(nets);
  const x = input(1);
  const kernel = (name: string) => G.getLayer(name).trainableWeights[0]!.read() as tf.Variable;
  const probe = kernel(layer);
  // The output's own head always joins it; variableGrads leaves out the variables without a path.
  const head = output > 0 ? stageImageLayer(output + 1) : options.mssa ? 'mssa_out' : stageImageLayer(1);
  const { value, grads } = tf.variableGrads(() => tf.sum((stageOutputs(G).apply(x) as tf.Tensor[])[output]!) as tf.Scalar, [probe, kernel(head)]);
  const connected = probe.name in grads;
  tf.dispose([value, x, ...Object.values(grads)]);
  disposeAll(nets);
  return connected;
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('pmsgan at the paper size', () => {
  it('builds the 256-px generator and one PatchGAN per scale (parameter counts in the diagnostics)', (t) => {
    const options = pmsgan.options.parse({});
    assert.equal(pmsgan.inputSize(options), 256);
    const nets = pmsgan.build(options);
    const G = generator(nets);
    assert.deepEqual(G.inputs[0]!.shape, [null, 256, 256, 3]);
    assert.deepEqual(G.outputs[0]!.shape, [null, 256, 256, 3]);
    assert.deepEqual(
      stageOutputs(G).outputs.map((o) => o.shape),
      [
        [null, 256, 256, 3],
        [null, 128, 128, 3],
        [null, 64, 64, 3],
      ],
    );
    // Five modified residual blocks per encoder and decoder (§III-A), widths 32/64/128.
    assert.doesNotThrow(() => [G.getLayer('s1_enc_res5_add'), G.getLayer('s3_dec_res5_add')]);
    assert.throws(() => G.getLayer('s1_enc_res6_add'));
    assert.equal(G.getLayer('s3_enc_conv').getWeights()[0]!.shape[3], 128);
    // 70×70 PatchGANs on 256, 128 and 64 px images.
    assert.deepEqual(
      ['D1', 'D2', 'D3'].map((name) => nets.discriminators[name]!.outputs[0]!.shape),
      [
        [null, 30, 30, 1],
        [null, 14, 14, 1],
        [null, 6, 6, 1],
      ],
    );
    t.diagnostic(`generator parameters: ${G.countParams()}`);
    for (const [name, D] of Object.entries(nets.discriminators)) t.diagnostic(`${name} parameters: ${D.countParams()}`);
    disposeAll(nets);
  });

  it('rejects sizes the three stages or the quarter-scale PatchGAN cannot take', () => {
    assert.throws(() => pmsgan.options.parse({ imageSize: 258 }), /multiple of 4/);
    assert.throws(() => pmsgan.options.parse({ imageSize: 32 }), /quarter-resolution PatchGAN/);
  });
});

describe('pmsgan ablation switches', () => {
  it('remove their modules from the graph', () => {
    const names = (overrides: Partial<PmsganOptions>) => {
      const nets = pmsgan.build(testOptions(overrides));
      const layerNames = generator(nets).layers.map((l) => l.name);
      disposeAll(nets);
      return layerNames;
    };
    const full = names({});
    for (const module of ['eff', 'dff', 'csasp', 'mssa'] as const) {
      assert.ok(
        full.some((n) => n.includes(`${module}_`)),
        `the paper model has ${module}`,
      );
      const without = names({ [module]: false });
      assert.ok(!without.some((n) => n.includes(`${module}_`)), `${module}: false leaves no ${module} layer`);
      assert.ok(without.length < full.length);
    }
  });

  it('EFF carries the full-resolution encoding into the quarter-resolution stage', () => {
    assert.equal(influences({ ...allModulesOff, eff: true }, 's1_enc_conv', 2), true);
    assert.equal(influences(allModulesOff, 's1_enc_conv', 2), false);
  });

  it('CSASP carries the quarter-resolution encoding into the full-resolution decoder', () => {
    assert.equal(influences({ ...allModulesOff, csasp: true }, 's3_enc_conv', 0), true);
    assert.equal(influences(allModulesOff, 's3_enc_conv', 0), false);
  });

  it('DFF carries the quarter-resolution decoding up to the output', () => {
    assert.equal(influences({ ...allModulesOff, dff: true }, 's3_dec_conv', 0), true);
    assert.equal(influences(allModulesOff, 's3_dec_conv', 0), false);
  });

  it('MSSA makes the output attend to the stage images', () => {
    assert.equal(influences({ ...allModulesOff, mssa: true }, stageImageLayer(3), 0), true);
    assert.equal(influences(allModulesOff, stageImageLayer(3), 0), false);
  });
});

describe('pmsgan at the test size', () => {
  it('maps [-1, 1] images to [-1, 1] images of the same size, deterministically', () => {
    const nets = pmsgan.build(testOptions());
    const G = generator(nets);
    const x = input();
    const [first, second] = [G.predict(x) as tf.Tensor, G.predict(x) as tf.Tensor];
    assert.deepEqual(first.shape, [2, size, size, 3]);
    assert.deepEqual(first.dataSync(), second.dataSync());
    assert.ok(first.dataSync().every((v) => v >= -1 && v <= 1));
    const scales = stageOutputs(G).predict(x) as tf.Tensor[];
    assert.deepEqual(
      scales.map((s) => s.shape),
      [
        [2, size, size, 3],
        [2, size / 2, size / 2, 3],
        [2, size / 4, size / 4, 3],
      ],
    );
    assert.deepEqual(scales[0]!.dataSync(), first.dataSync());
    tf.dispose([x, first, second, ...scales]);
    disposeAll(nets);
  });

  for (const overrides of [{}, { mssa: false }]) {
    it(`saves and loads bit-identically, stage images included (${JSON.stringify(overrides)})`, async () => {
      const nets = pmsgan.build(testOptions(overrides));
      const G = generator(nets);
      let artifacts: tf.io.ModelArtifacts | undefined;
      await G.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      const x = input();
      const original = stageOutputs(G).predict(x) as tf.Tensor[];
      const restored = stageOutputs(loaded).predict(x) as tf.Tensor[];
      original.forEach((o, i) => assert.deepEqual(restored[i]!.dataSync(), o.dataSync()));
      tf.dispose([x, ...original, ...restored]);
      loaded.dispose();
      disposeAll(nets);
    });
  }

  it('weighs the adversarial and perceptual terms as eq. (3), and adds an L1 term only when asked', () => {
    const a = input();
    const b = tf.tidy(() => tf.tanh(a.mul(2)).reverse(2)) as tf.Tensor4D;
    for (const lambdaPixel of [0, 2]) {
      const options = testOptions({ lambdaPixel });
      const nets = pmsgan.build(options);
      const { total, terms } = pmsgan.generatorObjective(nets, { a, b }, options);
      assert.deepEqual(Object.keys(terms).sort(), lambdaPixel > 0 ? ['adversarial', 'perceptual', 'pixel'] : ['adversarial', 'perceptual']);
      const term = (name: string) => terms[name]?.dataSync()[0] ?? 0;
      assert.ok(term('adversarial') > 0 && term('perceptual') > 0);
      const expected = options.lambdaAdversarial * term('adversarial') + options.lambdaPerceptual * term('perceptual') + lambdaPixel * term('pixel');
      assert.ok(Math.abs(total.dataSync()[0]! - expected) < 1e-4 * expected);
      tf.dispose([total, ...Object.values(terms)]);
      disposeAll(nets);
    }
    tf.dispose([a, b]);
  });

  it('sums the discriminator terms of the three scales', () => {
    const options = testOptions();
    const nets = pmsgan.build(options);
    const a = input();
    const { total, terms } = pmsgan.discriminatorObjective(nets, { a, b: a }, options);
    assert.deepEqual(Object.keys(terms).sort(), ['fake', 'real']);
    assert.ok(Math.abs(total.dataSync()[0]! - terms.real!.dataSync()[0]! - terms.fake!.dataSync()[0]!) < 1e-5);
    tf.dispose([a, total, ...Object.values(terms)]);
    disposeAll(nets);
  });

  it('has the same generator loss and gradients on the wasm backend (with the trainer kernels) as on cpu', async () => {
    const options = testOptions();
    const results: { loss: number; grads: Float32Array[] }[] = [];
    for (const backend of ['cpu', 'wasm']) {
      assert.ok(await tf.setBackend(backend));
      const nets = pmsgan.build(options);
      // Seeded weights (seeds from 1: tfjs treats seed 0 as "no seed") so both backends train the same network.
      const models = [...Object.values(nets.generators), ...Object.values(nets.discriminators)];
      tf.tidy(() => models.flatMap((m) => m.weights).forEach((w, i) => w.write(tf.randomNormal(w.read().shape, 0, 0.1, 'float32', i + 1))));
      const a = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
      const b = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
      const variables = generator(nets).trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => pmsgan.generatorObjective(nets, { a, b }, options).total, variables);
      results.push({ loss: value.dataSync()[0]!, grads: variables.map((v) => grads[v.name]!.dataSync() as Float32Array) });
      tf.dispose([a, b, value, ...Object.values(grads)]);
      disposeAll(nets);
    }
    await tf.setBackend('cpu');
    const [cpu, wasm] = results;
    assert.ok(Math.abs(wasm!.loss - cpu!.loss) < 1e-5 * cpu!.loss, `loss ${wasm!.loss} on wasm, ${cpu!.loss} on cpu`);
    cpu!.grads.forEach((expected, i) => {
      const actual = wasm!.grads[i]!;
      const norm = Math.hypot(...expected);
      const diff = Math.hypot(...expected.map((v, j) => v - actual[j]!));
      assert.ok(diff <= 1e-3 * norm + 1e-7, `gradient ${i} differs by ${diff} (norm ${norm})`);
    });
  });
});
