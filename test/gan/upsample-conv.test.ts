import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import '../../trainer/tf/register-training-kernels.js';
import type { Batch } from '../../gan/architecture.js';
import { disposeNetworks } from '../../gan/dispose-networks.js';
import { getArchitecture } from '../../gan/index.js';
import { countFlops } from '../../gan/flops.js';
import { trainableParamCount } from '../../gan/param-count.js';
import { createTrainStep } from '../../gan/train-step.js';

/*
 * `upsample: 'resize'` on the U-Net (pix2pix) and U-Net++ (pix2pix-unetpp) generators:
 * bilinear ×2 + 3×3 conv instead of 4×4 stride-2 transposed convs (layers/upsample-conv.ts).
 * On wasm with the trainer's kernels, as the trainer runs.
 */

before(async () => {
  assert.ok(await tf.setBackend('wasm'), 'wasm backend failed to initialise');
});

const layersOf = (model: tf.LayersModel, className: string) => model.layers.filter((l) => l.getClassName() === className);
const filters = (layer: tf.layers.Layer) => layer.getConfig().filters as number;

function generator(architecture: string, options: Record<string, unknown>): tf.LayersModel {
  const arch = getArchitecture(architecture);
  const nets = arch.build(arch.options.parse(options));
  const served = nets.generators[arch.served]!;
  disposeNetworks({ generators: {}, discriminators: nets.discriminators });
  return served;
}

async function saveAndLoad(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

/**
 * Share of an image's variance (one channel, inside `margin` of the border) that is a pattern
 * repeating every 2 pixels: the energy of the four (row, column) parities' means around the
 * overall mean, i.e. the spectrum at the frequencies (0, π), (π, 0), (π, π), over the total.
 * A checkerboard gives nearly 1; smooth content nearly 0.
 */
function stridePeriodicShare(image: tf.Tensor3D, margin: number): number {
  const [height, width, channels] = image.shape;
  const values = image.arraySync();
  let worst = 0;
  for (let c = 0; c < channels; c++) {
    const sums = [0, 0, 0, 0];
    const counts = [0, 0, 0, 0];
    const all: number[] = [];
    for (let y = margin; y < height - margin; y++) {
      for (let x = margin; x < width - margin; x++) {
        const v = values[y]![x]![c]!;
        const phase = (y % 2) * 2 + (x % 2);
        sums[phase]! += v;
        counts[phase]!++;
        all.push(v);
      }
    }
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const variance = all.reduce((a, v) => a + (v - mean) ** 2, 0) / all.length;
    const periodic = sums.reduce((a, s, p) => a + (s / counts[p]! - mean) ** 2, 0) / 4;
    worst = Math.max(worst, variance > 0 ? periodic / variance : 0);
  }
  return worst;
}

for (const [architecture, options] of [
  ['pix2pix', { imageSize: 32, netG: 'unet_32', ngf: 4, ndf: 4 }],
  ['pix2pix-unetpp', { imageSize: 16, depth: 4, ngf: 4, ndf: 2, nLayersD: 2 }],
] as const) {
  describe(`${architecture} with upsample 'resize'`, () => {
    it('maps images to images of the same size with no transposed conv, the same channel counts, fewer parameters, more FLOPs', () => {
      const transposed = generator(architecture, { ...options, upsample: 'transpose' });
      const resized = generator(architecture, { ...options, upsample: 'resize' });
      try {
        const size = options.imageSize;
        assert.deepEqual(resized.outputs[0]!.shape, [null, size, size, 3]);
        const y = tf.tidy(() => (resized.predict(tf.randomUniform([2, size, size, 3], -1, 1, 'float32', 3)) as tf.Tensor).shape);
        assert.deepEqual(y, [2, size, size, 3]);
        assert.equal(layersOf(resized, 'Conv2DTranspose').length, 0);
        const deconvs = layersOf(transposed, 'Conv2DTranspose');
        const upsamples = layersOf(resized, 'BlurUpsample');
        assert.equal(upsamples.length, deconvs.length);
        // Each resize is followed by its 3×3 conv, with the filters of the deconv it replaces.
        const resizeConvs = upsamples.map((u) => resized.getLayer(u.name.replace(/_resize$/, '_conv')));
        assert.deepEqual(resizeConvs.map(filters), deconvs.map(filters));
        assert.ok(resizeConvs.every((conv) => (conv.getConfig().kernelSize as number[]).join() === '3,3'));
        // 3×3 kernels instead of 4×4: 9/16 of the upsampling weights; but they run at the
        // upsampled resolution, 4 × 9 / 16 = 2.25 times the deconvs' multiply-adds.
        assert.ok(trainableParamCount(resized) < trainableParamCount(transposed));
        assert.ok(countFlops(resized).flops > countFlops(transposed).flops);
      } finally {
        transposed.dispose();
        resized.dispose();
      }
    });

    it('saves and loads to a bit-identical generator', async () => {
      const model = generator(architecture, { ...options, upsample: 'resize' });
      const loaded = await saveAndLoad(model);
      try {
        const [a, b] = tf.tidy(() => {
          const x = tf.randomUniform([1, options.imageSize, options.imageSize, 3], -1, 1, 'float32', 5);
          return [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
        });
        assert.deepEqual(a.dataSync(), b.dataSync());
        tf.dispose([a, b]);
      } finally {
        model.dispose();
        loaded.dispose();
      }
    });

    it('trains: 20 steps on a fixed batch lower the generator loss, leaking no tensors', () => {
      const arch = getArchitecture(architecture);
      const parsed = arch.options.parse({ ...options, upsample: 'resize' });
      const nets = arch.build(parsed);
      const size = options.imageSize;
      // A target the generator can learn from its input (a noise target leaves the L1 term flat within 20 steps).
      const batch: Batch = tf.tidy(() => {
        const a = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 11) as tf.Tensor4D;
        return { a, b: a.mul(-0.5) as tf.Tensor4D };
      });
      const trainer = createTrainStep(arch, nets, parsed, { lr: 2e-4, beta1: 0.5 });
      try {
        const losses: number[] = [];
        const counts: number[] = [];
        for (let i = 0; i < 20; i++) {
          losses.push(trainer.step(batch).generator.total!);
          counts.push(tf.memory().numTensors);
        }
        assert.equal(counts.at(-1), counts[0], `tensor count grew: ${counts.join(',')}`);
        const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
        assert.ok(mean(losses.slice(-3)) < mean(losses.slice(0, 3)), `generator loss did not go down: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
      } finally {
        trainer.dispose();
        tf.dispose([batch.a, batch.b]);
        disposeNetworks(nets);
      }
    });
  });
}

it('a U-Net with resize upsampling turns a flat grey image into no checkerboard, where the transposed one draws one', () => {
  // Untrained, as a new style starts: the transposed convs' uneven overlap is there from the
  // first step (Odena et al. 2016, Fig. "artifacts at initialisation").
  const share = (upsample: string) => {
    const model = generator('pix2pix', { imageSize: 128, netG: 'unet_32', ngf: 8, ndf: 4, dropout: false, upsample });
    try {
      return tf.tidy(() => stridePeriodicShare((model.predict(tf.fill([1, 128, 128, 3], 0.2)) as tf.Tensor4D).squeeze([0]), 16));
    } finally {
      model.dispose();
    }
  };
  const transposed = share('transpose');
  const resized = share('resize');
  console.log(`# stride-2 periodic share of the output variance on a flat input: transpose ${transposed.toFixed(3)}, resize ${resized.toFixed(5)}`);
  assert.ok(transposed > 0.3, `the transposed U-Net shows a checkerboard (share ${transposed})`);
  assert.ok(resized < 0.01, `the resize U-Net shows none (share ${resized})`);
});
