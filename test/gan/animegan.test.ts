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
import { animegan, animeganOptions, MissingEdgeSmoothedError, type AnimeganOptions } from '../../gan/animegan/animegan.js';
import type { Batch, Networks, TrainingContext } from '../../gan/architecture.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { countFlops } from '../../gan/flops.js';
import { ImagePools } from '../../gan/image-pool.js';
import { gramMatrix, gramStyleLoss, grayscale, rgbToYuv, totalVariationLoss, yuvColourLoss } from '../../gan/animegan/image-losses.js';
import { trainableParamCount } from '../../gan/param-count.js';
import { createTrainStep } from '../../gan/train-step.js';

/*
 * AnimeGAN (gan/animegan/animegan.ts): its generator at free, non-square sizes, its size, its
 * round trip through the model store, each loss term on values worked out by hand, its init
 * phase and learning rates in the shared train step, and training. Runs on wasm with the
 * trainer's kernels (the depthwise-conv gradients among them), as the trainer does.
 */

const options = (extra: Partial<AnimeganOptions> = {}) => animeganOptions.parse({ ...animegan.testOptions, ...extra });
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;
/** An image of one colour, NHWC. */
const filled = (n: number, h: number, w: number, rgb: readonly number[]) => tf.tile(tf.tensor4d([...rgb], [1, 1, 1, 3]), [n, h, w, 1]) as tf.Tensor4D;

let storeRoot: string;

before(async () => {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend failed to initialise');
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'animebot-animegan-'));
});

after(async () => {
  await rm(storeRoot, { recursive: true, force: true });
});

describe('animegan networks', () => {
  it("parse({}) is AnimeGANv2's configuration", () => {
    const o = animeganOptions.parse({});
    assert.deepEqual([o.ngf, o.blocks, o.expansion, o.norm, o.ndf, o.nLayersD], [32, 8, 2, 'layer', 64, 3]);
    assert.deepEqual([o.gAdvWeight, o.dAdvWeight, o.conWeight, o.styWeight, o.colorWeight, o.tvWeight], [300, 300, 1.5, 2.5, 10, 1]);
    assert.deepEqual([o.dRealWeight, o.dFakeWeight, o.dGrayWeight, o.dSmoothWeight], [1.2, 1.2, 1.2, 0.8]);
    assert.deepEqual([o.gLrScale, o.dLrScale], [0.1, 0.2]);
  });

  it('has a light generator at the defaults (1–4 M parameters) that upsamples by resizing, never by transposed convs', () => {
    const nets = animegan.build(animeganOptions.parse({}));
    const G = nets.generators.G!;
    const parameters = trainableParamCount(G);
    console.log(`# animegan defaults: G ${parameters} parameters, D ${trainableParamCount(nets.discriminators.D!)}`);
    assert.ok(parameters >= 1e6 && parameters <= 4e6, `${parameters} parameters`);
    const classes = G.layers.map((l) => l.getClassName());
    assert.ok(!classes.includes('Conv2DTranspose'), 'no transposed convs');
    assert.equal(G.layers.filter((l) => l.getClassName() === 'UpSampling2D' && l.getConfig().interpolation === 'bilinear').length, 2);
    assert.equal(classes.filter((c) => c === 'DepthwiseConv2D').length, 8);
    disposeNetworks(nets);
  });

  let nets: Networks;
  before(() => {
    nets = animegan.build(options());
  });
  after(() => disposeNetworks(nets));

  for (const [h, w] of [
    [36, 52],
    [64, 28],
  ] as const) {
    it(`maps a ${h}×${w} photo to a ${h}×${w} image in [-1, 1] (no layer fixes the size)`, () => {
      const photo = tf.randomUniform([2, h, w, 3], -1, 1, 'float32', h);
      const out = nets.generators.G!.predict(photo) as tf.Tensor;
      assert.deepEqual(out.shape, [2, h, w, 3]);
      assert.ok(out.dataSync().every((v) => Number.isFinite(v) && v >= -1 && v <= 1));
      const logits = nets.discriminators.D!.predict(photo) as tf.Tensor;
      assert.deepEqual(logits.shape, [2, h / 4, w / 4, 1], 'D scores patches at 1/4 resolution');
      tf.dispose([photo, out, logits]);
    });
  }

  it("with skips 'concat', joins the full- and half-resolution encoder stages to the decoder and still keeps any size", async () => {
    const withSkips = animegan.build(options({ skips: 'concat' }));
    const G = withSkips.generators.G!;
    const joined = G.layers.filter((l) => l.getClassName() === 'Concatenate').map((l) => l.inboundNodes[0]!.inboundLayers.map((inbound) => inbound.name));
    assert.deepEqual(joined, [
      ['G_d1_lrelu', 'G_a2_lrelu'],
      ['G_e1_lrelu', 'G_a0_lrelu'],
    ]);
    const photo = tf.randomUniform([1, 36, 52, 3], -1, 1, 'float32', 5);
    const out = G.predict(photo) as tf.Tensor;
    assert.deepEqual(out.shape, [1, 36, 52, 3]);
    const store = new DirectoryModelStore(storeRoot);
    const meta = await saveGenerator(store, G, { style: 'anime', architecture: 'animegan', options: options({ skips: 'concat' }), inputSize: 32, version: 'skips' });
    const { model: loaded } = await loadLayersModel(store, 'anime', meta.version);
    const reloaded = loaded.predict(photo) as tf.Tensor;
    assert.deepEqual(reloaded.dataSync(), out.dataSync());
    tf.dispose([photo, out, reloaded]);
    loaded.dispose();
    disposeNetworks(withSkips);
  });

  it('counts its FLOPs at a given input size (its own leaves H and W free), in proportion to the pixels', () => {
    const G = nets.generators.G!;
    assert.throws(() => countFlops(G), /fixed input size/);
    const at32 = countFlops(G, { inputSize: 32 });
    const at64 = countFlops(G, { inputSize: 64 });
    assert.deepEqual(at32.approximated, []);
    assert.ok(at32.flops > 0);
    assert.equal(at64.flops, 4 * at32.flops);
  });

  it('saves and loads through the model store with bit-identical outputs at a size it was not built for', async () => {
    const store = new DirectoryModelStore(storeRoot);
    const o = options();
    for (const [name, model] of Object.entries({ ...nets.generators, ...nets.discriminators })) {
      const meta = await saveGenerator(store, model, { style: 'anime', architecture: 'animegan', options: o, inputSize: o.imageSize, version: name });
      const { model: loaded } = await loadLayersModel(store, 'anime', meta.version);
      const photo = tf.randomUniform([1, 40, 24, 3], -1, 1, 'float32', 3);
      const [expected, actual] = [model, loaded].map((m) => tf.tidy(() => (m.predict(photo) as tf.Tensor).dataSync()));
      assert.deepEqual(actual, expected, `${name} differs after save/load`);
      tf.dispose(photo);
      loaded.dispose();
    }
  });
});

describe('animegan losses on hand-computed values', () => {
  it('gram: FᵀF over H·W, divided by H·W·C', () => {
    // Two pixels with features (1, 2) and (3, 4): FᵀF = [[10, 14], [14, 20]], / (2·1·2).
    const features = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]);
    assert.deepEqual(Array.from(gramMatrix(features).dataSync()), [2.5, 3.5, 3.5, 5]);
    assert.equal(scalar(gramStyleLoss(features, tf.zeros([1, 2, 1, 2]))), (2.5 + 3.5 + 3.5 + 5) / 4);
  });

  it('grayscale: BT.601 luma in all three channels', () => {
    const gray = grayscale(filled(1, 1, 1, [1, -1, -1])).dataSync();
    for (const v of gray) assert.ok(Math.abs(v - (0.299 - 0.587 - 0.114)) < 1e-6);
  });

  it('YUV: white has no chroma, red has tf.image.rgb_to_yuv’s red column', () => {
    const white = rgbToYuv(filled(1, 1, 1, [1, 1, 1])).dataSync();
    const red = rgbToYuv(filled(1, 1, 1, [1, -1, -1])).dataSync();
    [1, 0, 0].forEach((v, i) => assert.ok(Math.abs(white[i]! - v) < 1e-6, `white ${white.join()}`));
    [0.299, -0.14714119, 0.61497538].forEach((v, i) => assert.ok(Math.abs(red[i]! - v) < 1e-6, `red ${red.join()}`));
  });

  it('colour: L1 on Y, Huber on U and V (quadratic below 1, linear above)', () => {
    // Red against cyan: ΔY = 0.701 − 0.299, ΔU = 2·0.14714119 (quadratic), ΔV = 2·0.61497538 > 1 (linear).
    const loss = scalar(yuvColourLoss(filled(1, 2, 2, [1, -1, -1]), filled(1, 2, 2, [-1, 1, 1])));
    const expected = 0.402 + 0.5 * (2 * 0.14714119) ** 2 + (2 * 0.61497538 - 0.5);
    assert.ok(Math.abs(loss - expected) < 1e-5, `${loss} vs ${expected}`);
  });

  it('total variation: half the mean squared vertical and horizontal differences', () => {
    // [[0, 1], [2, 3]]: vertical differences 2, 2; horizontal 1, 1.
    assert.equal(scalar(totalVariationLoss(tf.tensor4d([0, 1, 2, 3], [1, 2, 2, 1]))), 0.5 * (4 + 1));
  });

  describe('objectives with fixed networks: G the identity, D the mean of the channels', () => {
    const identityG = () => {
      const input = tf.input({ shape: [null, null, 3] });
      const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, weights: [tf.eye(3).reshape([1, 1, 3, 3])] });
      return tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
    };
    const channelMeanD = () => {
      const input = tf.input({ shape: [null, null, 3] });
      const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, weights: [tf.fill([1, 1, 3, 1], 1 / 3)] });
      return tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
    };
    let fixed: Networks;
    before(() => {
      fixed = { generators: { G: identityG() }, discriminators: { D: channelMeanD() } };
    });
    after(() => disposeNetworks(fixed));
    const anime = [0.8, 0.2, -0.4];
    const batch = (): Batch => ({ a: filled(1, 8, 8, [-0.2, -0.2, -0.2]), b: filled(1, 8, 8, anime), bEdgeSmoothed: filled(1, 8, 8, [0.1, 0.1, 0.1]) });
    const animeGray = 0.299 * 0.8 + 0.587 * 0.2 - 0.114 * 0.4;

    it('D: 300·(1.2·(D(anime)−1)² + 1.2·D(G(photo))² + 1.2·D(gray anime)² + 0.8·D(gray smoothed)²)', () => {
      const { total, terms } = animegan.discriminatorObjective(fixed, batch(), options({ edgePromoting: true }));
      const expected = { real: (0.2 - 1) ** 2, fake: 0.2 ** 2, gray: animeGray ** 2, smooth: 0.1 ** 2 };
      for (const [name, value] of Object.entries(expected)) assert.ok(Math.abs(scalar(terms[name]!) - value) < 1e-6, `${name}: ${scalar(terms[name]!)} vs ${value}`);
      const weighted = 300 * (1.2 * expected.real + 1.2 * expected.fake + 1.2 * expected.gray + 0.8 * expected.smooth);
      assert.ok(Math.abs(scalar(total) - weighted) < 1e-3, `${scalar(total)} vs ${weighted}`);
    });

    it("with discriminatorSees 'grayscale', D and G's adversarial term see every image in grayscale, and D has no grayscale-anime term", () => {
      const colouredPhoto = [0.6, 0, -0.6];
      const photoGray = 0.299 * 0.6 - 0.114 * 0.6;
      const coloured = (): Batch => ({ ...batch(), a: filled(1, 8, 8, colouredPhoto) });
      const o = options({ edgePromoting: true, discriminatorSees: 'grayscale' });
      const { total, terms } = animegan.discriminatorObjective(fixed, coloured(), o);
      const expected = { real: (animeGray - 1) ** 2, fake: photoGray ** 2, smooth: 0.1 ** 2 };
      assert.deepEqual(Object.keys(terms).sort(), ['fake', 'real', 'smooth']);
      for (const [name, value] of Object.entries(expected)) assert.ok(Math.abs(scalar(terms[name]!) - value) < 1e-6, `${name}: ${scalar(terms[name]!)} vs ${value}`);
      assert.ok(Math.abs(scalar(total) - 300 * (1.2 * expected.real + 1.2 * expected.fake + 0.8 * expected.smooth)) < 1e-3);
      const { terms: gTerms } = animegan.generatorObjective(fixed, coloured(), o);
      assert.ok(Math.abs(scalar(gTerms.adversarial!) - (photoGray - 1) ** 2) < 1e-6, `G adversarial ${scalar(gTerms.adversarial!)}: D saw the photo in colour`);
    });

    it('without edge-smoothed images: a MissingEdgeSmoothedError naming trainB_smooth from the first step, or no smooth term when edgePromoting is off', () => {
      const { a, b } = batch();
      const missing = (err: unknown) => err instanceof MissingEdgeSmoothedError && err.message.includes('trainB_smooth');
      assert.throws(() => animegan.discriminatorObjective(fixed, { a, b }, options({ edgePromoting: true })), missing);
      const init: TrainingContext = { imagePools: new ImagePools(0), phase: 'init' };
      assert.throws(() => animegan.generatorObjective(fixed, { a, b }, options({ edgePromoting: true }), init), missing, 'already in the init phase');
      const { terms } = animegan.discriminatorObjective(fixed, { a, b }, options({ edgePromoting: false }));
      assert.deepEqual(Object.keys(terms).sort(), ['fake', 'gray', 'real']);
    });

    it('G: 300·(D(G(photo))−1)², no content, colour or TV loss for an exact constant copy, and a style term against the gray anime', () => {
      const { total, terms } = animegan.generatorObjective(fixed, batch(), options());
      assert.ok(Math.abs(scalar(terms.adversarial!) - (-0.2 - 1) ** 2) < 1e-6);
      for (const name of ['content', 'colour', 'tv']) assert.ok(Math.abs(scalar(terms[name]!)) < 1e-6, `${name} ${scalar(terms[name]!)}`);
      assert.ok(scalar(terms.style!) > 0, 'the photo and the gray anime have different Gram matrices');
      assert.ok(Math.abs(scalar(total) - (300 * 1.44 + 2.5 * scalar(terms.style!))) < 1e-3);
    });

    it('G in the init phase: the content loss weighted by conWeight, plus the colour loss when initColorWeight is set', () => {
      const context: TrainingContext = { imagePools: new ImagePools(0), phase: 'init' };
      const darker: Batch = { ...batch(), a: filled(1, 8, 8, [0.6, -0.1, 0.3]) };
      const halfG: Networks = { ...fixed, generators: { G: tf.sequential({ layers: [tf.layers.rescaling({ scale: 0.5, inputShape: [null, null, 3] })] }) } };
      const { total, terms } = animegan.generatorObjective(halfG, darker, options(), context);
      assert.deepEqual(Object.keys(terms), ['content']);
      assert.ok(scalar(terms.content!) > 0);
      assert.ok(Math.abs(scalar(total) - 1.5 * scalar(terms.content!)) < 1e-6);
      const withColour = animegan.generatorObjective(halfG, darker, options({ initColorWeight: 20 }), context);
      assert.deepEqual(Object.keys(withColour.terms), ['content', 'colour']);
      assert.ok(scalar(withColour.terms.colour!) > 0, 'half the photo differs from the photo in colour');
      assert.ok(Math.abs(scalar(withColour.total) - (1.5 * scalar(withColour.terms.content!) + 20 * scalar(withColour.terms.colour!))) < 1e-5);
      halfG.generators.G!.dispose();
    });
  });
});

describe('animegan in the shared train step', () => {
  const size = 32;
  const batch = (seed: number): Batch =>
    tf.tidy(() => ({
      a: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', seed) as tf.Tensor4D,
      b: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', seed + 1) as tf.Tensor4D,
      bEdgeSmoothed: tf.randomUniform([1, size, size, 3], -1, 1, 'float32', seed + 2) as tf.Tensor4D,
    }));
  const disposeBatch = (b: Batch) => tf.dispose([b.a, b.b, b.bEdgeSmoothed!]);
  const weightsOf = (model: tf.LayersModel) => model.trainableWeights.map((w) => (w.read().dataSync() as Float32Array).slice());
  const largestChange = (before: Float32Array[], model: tf.LayersModel) => Math.max(...weightsOf(model).flatMap((after, i) => Array.from(after, (v, j) => Math.abs(v - before[i]![j]!))));

  it('trains only G during initSteps at the run’s rate, then D at dLrScale × the rate', () => {
    const o = options({ initSteps: 2, edgePromoting: true });
    const nets = animegan.build(o);
    const lr = 1e-3;
    const step = createTrainStep(animegan, nets, o, { lr, beta1: 0.5 });
    const data = batch(21);
    const G = nets.generators.G!;
    const D = nets.discriminators.D!;
    const [g0, d0] = [weightsOf(G), weightsOf(D)];
    const first = step.step(data, 0);
    assert.deepEqual(first.discriminator, {}, 'no D update in the init phase');
    assert.deepEqual(Object.keys(first.generator).sort(), ['content', 'total']);
    // Adam's first step moves every weight with a non-zero gradient by the learning rate.
    assert.ok(Math.abs(largestChange(g0, G) - lr) < lr * 0.01, `G moved by ${largestChange(g0, G)}`);
    step.step(data, 1);
    assert.equal(largestChange(d0, D), 0, 'D unchanged through the init phase');
    const adversarial = step.step(data, 2);
    assert.deepEqual(Object.keys(adversarial.discriminator).sort(), ['fake', 'gray', 'real', 'smooth', 'total']);
    assert.deepEqual(Object.keys(adversarial.generator).sort(), ['adversarial', 'colour', 'content', 'style', 'total', 'tv']);
    assert.ok(Math.abs(largestChange(d0, D) - 0.2 * lr) < lr * 0.002, `D moved by ${largestChange(d0, D)}`);
    step.dispose();
    disposeBatch(data);
    disposeNetworks(nets);
  });

  const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;

  it('runs 20 steps through both phases leaking no tensors, the init phase lowering the content loss', () => {
    const o = options({ initSteps: 10, edgePromoting: true });
    const nets = animegan.build(o);
    const step = createTrainStep(animegan, nets, o, { lr: 2e-3, beta1: 0.5 });
    const data = batch(31);
    const content: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { generator, discriminator } = step.step(data, i);
      for (const [name, v] of Object.entries({ ...generator, ...discriminator })) assert.ok(Number.isFinite(v), `step ${i}: ${name} ${v}`);
      content.push(generator.content!);
      counts.push(tf.memory().numTensors);
    }
    step.dispose();
    disposeBatch(data);
    disposeNetworks(nets);
    // G's moments appear at step 0, D's at step 10 (its first update); between, the count stays put.
    assert.equal(counts[9], counts[0], `tensor count grew in the init phase: ${counts.join(',')}`);
    assert.equal(counts[19], counts[10], `tensor count grew in the adversarial phase: ${counts.join(',')}`);
    assert.ok(
      mean(content.slice(7, 10)) < mean(content.slice(0, 3)),
      `content loss did not go down: ${content
        .slice(0, 10)
        .map((l) => l.toFixed(4))
        .join(' ')}`,
    );
  });

  it('lowers its full generator loss (every term) over 20 steps against a fixed discriminator', () => {
    // Alternating steps let D's progress raise G's adversarial term; against a fixed D, G must improve.
    const o = options({ initSteps: 0, edgePromoting: true });
    const nets = animegan.build(o);
    const data = batch(41);
    const optimizer = tf.train.adam(2e-3, 0.5);
    const variables = nets.generators.G!.trainableWeights.map((w) => w.read() as tf.Variable);
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const loss = optimizer.minimize(() => animegan.generatorObjective(nets, data, o).total, true, variables)!;
      losses.push(scalar(loss));
      loss.dispose();
    }
    optimizer.dispose();
    disposeBatch(data);
    disposeNetworks(nets);
    assert.ok(mean(losses.slice(-3)) < mean(losses.slice(0, 3)), `loss did not go down: ${losses.map((l) => l.toFixed(2)).join(' ')}`);
  });
});
