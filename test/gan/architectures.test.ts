import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../trainer/tf/register-training-kernels.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { loadLayersModel } from '../../shared/models/layers-model-io.js';
import { saveGenerator } from '../../gan/save-generator.js';
import { listArchitectures, type Batch, type Networks } from '../../gan/index.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { createTrainStep } from '../../gan/train-step.js';

/*
 * Every registered architecture, at its `testOptions`: builds, serves images of its input
 * size, survives the model store, and trains. Runs on wasm with the trainer's extra
 * kernels (as the trainer does): the pure-JS cpu backend's filter gradient made 20 CycleGAN
 * steps at 32 px take ~8 min instead of ~20 s on wasm on this loaded 2-core machine.
 *
 * Budget for each architecture's testOptions: 20 training steps in under 10 s on an idle
 * machine. The time is printed as a diagnostic ("# … 20 steps in … ms (… ms CPU)"), not
 * asserted: on a shared machine wall time says little; the CPU time is the number to watch.
 */

const trainingSteps = 20;
let storeRoot: string;

before(async () => {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend failed to initialise');
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'animebot-architectures-'));
});

after(async () => {
  await rm(storeRoot, { recursive: true, force: true });
});

/** Deterministic inputs for each of a model's inputs, batch 1. */
function inputsFor(model: tf.LayersModel, size: number, seed: number): tf.Tensor[] {
  return model.inputs.map((input, i) => {
    const shape = input.shape.map((d, axis) => (axis === 0 ? 1 : (d ?? size)));
    return input.dtype === 'int32' ? tf.zeros(shape, 'int32') : tf.randomUniform(shape, -1, 1, 'float32', seed + i);
  });
}

function predict(model: tf.LayersModel, inputs: tf.Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/**
 * Architectures whose generator objective is adversarial, or nearly: ome-pretrain (an
 * unconditional generator against its discriminator, fresh latents every step) and animegan
 * (at AnimeGANv2's weights the adversarial term is 300× against content's 1.5; seen falling
 * for 5 steps, then rising as D learned). Their loss rises and falls with the discriminator,
 * so alternating steps say nothing; instead the generator must learn to fool a fixed
 * discriminator.
 */
const adversarialOnly = new Set(['ome-pretrain', 'animegan']);

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const architectures = listArchitectures();

it('registers the reference baselines', () => {
  const names = architectures.map((a) => a.name);
  for (const name of ['pix2pix', 'cyclegan']) assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
});

for (const arch of architectures) {
  describe(arch.name, () => {
    const options = arch.options.parse(arch.testOptions);
    const size = arch.inputSize(options);
    let nets: Networks;

    before(() => {
      nets = arch.build(options);
    });

    after(() => disposeNetworks(nets));

    it(`serves ${arch.served}, mapping [1, S, S, 3] in [-1, 1] to [1, S, S, 3] in [-1, 1]`, () => {
      const served = nets.generators[arch.served];
      assert.ok(served, `served generator ${arch.served} is not among ${Object.keys(nets.generators).join(', ')}`);
      const image = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1);
      const out = served.predict(image) as tf.Tensor;
      assert.deepEqual(out.shape, [1, size, size, 3]);
      const values = out.dataSync();
      assert.ok(
        values.every((v) => Number.isFinite(v) && v >= -1 && v <= 1),
        'outputs must be finite and within [-1, 1]',
      );
      tf.dispose([image, out]);
    });

    it('saves and loads every network through the model store with bit-identical outputs', async () => {
      const store = new DirectoryModelStore(storeRoot);
      const style = arch.name
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-')
        .slice(0, 40);
      for (const [name, model] of Object.entries({ ...nets.generators, ...nets.discriminators })) {
        const meta = await saveGenerator(store, model, { style, architecture: arch.name, options, inputSize: size, version: name.replace(/[^\w.-]/g, '_') });
        const { model: loaded } = await loadLayersModel(store, style, meta.version);
        const inputs = inputsFor(model, size, 7);
        const expected = predict(model, inputs);
        const actual = predict(loaded, inputs);
        assert.equal(actual.length, expected.length, `${name}: number of outputs`);
        expected.forEach((e, i) => assert.deepEqual(actual[i], e, `${name}: output ${i} differs after save/load`));
        tf.dispose(inputs);
        loaded.dispose();
      }
    });

    const multiple = arch.servedSizeMultiple?.(options);
    if (multiple !== undefined) {
      it(`is served at other sizes: stored with inputMultiple ${multiple}, loaded, it maps a non-square image of multiples of it to one of that size`, async () => {
        const store = new DirectoryModelStore(storeRoot);
        const style = `${arch.name}-native`
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, '-')
          .slice(0, 40);
        const meta = await saveGenerator(store, nets.generators[arch.served]!, { style, architecture: arch.name, options, inputSize: size });
        assert.equal(meta.inputMultiple, multiple);
        const { model: loaded, inputMultiple } = await loadLayersModel(store, style, meta.version);
        assert.equal(inputMultiple, multiple);
        const [height, width] = [2 * multiple, 3 * multiple];
        const out = tf.tidy(() => loaded.predict(tf.randomUniform([1, height, width, 3], -1, 1, 'float32', 9)) as tf.Tensor);
        assert.deepEqual(out.shape, [1, height, width, 3]);
        assert.ok(
          out.dataSync().every((v) => Number.isFinite(v) && v >= -1 && v <= 1),
          'outputs must be finite and within [-1, 1]',
        );
        out.dispose();
        loaded.dispose();
      });
    }

    it(`lowers the generator loss over ${trainingSteps} training steps on a fixed batch and leaks no tensors`, (t) => {
      const batch: Batch = tf.tidy(() => ({
        a: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 11) as tf.Tensor4D,
        b: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 12) as tf.Tensor4D,
      }));
      const trainer = createTrainStep(arch, nets, options, { lr: 2e-4, beta1: 0.5 });
      const generatorLoss: number[] = [];
      const tensorCounts: number[] = [];
      const started = Date.now();
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < trainingSteps; i++) {
        const losses = trainer.step(batch);
        for (const [name, value] of Object.entries({ ...losses.generator, ...losses.discriminator })) {
          assert.ok(Number.isFinite(value), `step ${i}: loss ${name} is ${value}`);
        }
        assert.ok(losses.generator.total !== undefined, 'generator losses report a total');
        generatorLoss.push(losses.generator.total);
        tensorCounts.push(tf.memory().numTensors);
      }
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
      t.diagnostic(
        `${arch.name}: ${trainingSteps} steps in ${Date.now() - started} ms (${cpuMs} ms CPU); generator loss ${generatorLoss[0]!.toFixed(4)} → ${generatorLoss.at(-1)!.toFixed(4)}`,
      );
      trainer.dispose();
      tf.dispose([batch.a, batch.b]);
      // The first step creates the optimizers' moment variables; after it the count must stay put.
      assert.equal(tensorCounts.at(-1), tensorCounts[0], `tensor count grew: ${tensorCounts.join(',')}`);
      if (adversarialOnly.has(arch.name)) return;
      const first = mean(generatorLoss.slice(0, 3));
      const last = mean(generatorLoss.slice(-3));
      assert.ok(last < first, `generator loss did not go down: first 3 steps ${first.toFixed(4)}, last 3 ${last.toFixed(4)} (${generatorLoss.map((l) => l.toFixed(3)).join(' ')})`);
    });

    if (arch.imagePoolSize !== undefined) {
      it('shows its discriminators fakes through the image pools, leaking no tensors once they are full', () => {
        const poolSize = 2;
        const batch: Batch = tf.tidy(() => ({
          a: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 15) as tf.Tensor4D,
          b: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 16) as tf.Tensor4D,
        }));
        const before = tf.memory().numTensors;
        const trainer = createTrainStep(arch, nets, options, { lr: 2e-4, beta1: 0.5 }, { poolSize });
        const tensorCounts: number[] = [];
        for (let i = 0; i < poolSize + 4; i++) {
          const losses = trainer.step(batch);
          for (const [name, value] of Object.entries(losses.discriminator)) assert.ok(Number.isFinite(value), `step ${i}: D loss ${name} is ${value}`);
          tensorCounts.push(tf.memory().numTensors);
        }
        // Step 1 creates the optimizers' moments; each pool stores one fake per step until full.
        assert.ok(tensorCounts[1]! > tensorCounts[0]!, `the pools hold no fakes: ${tensorCounts.join(',')}`);
        assert.equal(tensorCounts.at(-1), tensorCounts[poolSize - 1], `tensor count grew after the pools filled: ${tensorCounts.join(',')}`);
        trainer.dispose();
        assert.equal(tf.memory().numTensors, before, 'disposing the step frees its pools and optimizers');
        tf.dispose([batch.a, batch.b]);
      });
    }

    if (adversarialOnly.has(arch.name)) {
      it(`lowers its adversarial generator loss against a fixed discriminator over ${trainingSteps} steps`, () => {
        const batch: Batch = tf.tidy(() => ({
          a: tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 13) as tf.Tensor4D,
          b: tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 14) as tf.Tensor4D,
        }));
        const variables = Object.values(nets.generators).flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
        const unique = [...new Map(variables.map((v) => [v.id, v])).values()];
        const optimizer = tf.train.adam(1e-3, 0.5);
        const losses: number[] = [];
        for (let i = 0; i < trainingSteps; i++) {
          const loss = optimizer.minimize(() => arch.generatorObjective(nets, batch, options).total, true, unique)!;
          losses.push(loss.dataSync()[0]!);
          loss.dispose();
        }
        optimizer.dispose();
        tf.dispose([batch.a, batch.b]);
        const first = mean(losses.slice(0, 3));
        const last = mean(losses.slice(-3));
        assert.ok(last < first, `generator loss against a fixed discriminator did not go down: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
      });
    }
  });
}
