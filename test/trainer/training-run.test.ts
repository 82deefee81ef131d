import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import sharp from 'sharp';
import { createLogger } from '../../shared/logger.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import { runTrainingJob } from '../../trainer/run-training-job.js';
import '../../trainer/tf/register-training-kernels.js';
import type { TrainOptionsInput } from '../../trainer/training/train-options.js';
import { writePairedDataset } from '../helpers/paired-dataset.js';

const SIZE = 32;
const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test' }, 'test');
/** Tiny options: a handful of steps at 32 px, checkpoints every 2 steps. */
const tinyOptions = (arch: Record<string, unknown>): TrainOptionsInput => ({
  crop_size: SIZE,
  load_size: SIZE,
  n_epochs: 2,
  n_epochs_decay: 1,
  batch_size: 2,
  max_steps: 6,
  checkpoint_every: 2,
  log_every: 1,
  arch,
});
const architectures: Record<string, Record<string, unknown>> = {
  pix2pix: { netG: 'unet_32', ngf: 4, ndf: 4 },
  cyclegan: { netG: 'resnet_6blocks', ngf: 4, ndf: 4 },
};

let root: string;
let dataDir: string;
let runsDir: string;
let store: DirectoryModelStore;

before(async () => {
  await tf.setBackend('wasm');
  root = await mkdtemp(path.join(os.tmpdir(), 'animebot-train-'));
  dataDir = path.join(root, 'data');
  runsDir = path.join(root, 'runs');
  store = new DirectoryModelStore(path.join(root, 'models'));
  await writePairedDataset(path.join(dataDir, 'tiny'), { train: 8, test: 4 }, SIZE);
});

describe('training runs on a tiny dataset', () => {
  for (const [architecture, archOptions] of Object.entries(architectures)) {
    it(`${architecture}: trains, checkpoints, is killed, resumes, evaluates and is promoted`, async () => {
      const style = `tiny-${architecture}`;
      const runId = `${style}-run`;
      const sets = Object.entries(tinyOptions(archOptions)).flatMap(([k, v]) =>
        k === 'arch'
          ? Object.entries(v as object).flatMap(([ak, av]) => ['--set', `arch.${ak}=${String(av as string | number | boolean)}`])
          : ['--set', `${k}=${String(v as string | number | boolean)}`],
      );
      const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'train', '--style', style, '--arch', architecture, '--dataset', 'tiny', '--run', runId, ...sets], {
        env: { ...process.env, DATA_DIR: dataDir, RUNS_DIR: runsDir, MODELS_DIR: store.root, TF_BACKEND: 'wasm', LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const stateFile = path.join(runsDir, runId, 'checkpoint', 'state.json');
      for (let waited = 0; !(await stat(stateFile).catch(() => undefined)); waited += 100) {
        assert.ok(waited < 120_000, 'a checkpoint appears');
        assert.equal(child.exitCode, null, 'the first run is still training when its first checkpoint appears');
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill('SIGKILL');
      await exited;
      const killedAt = (JSON.parse(await readFile(stateFile, 'utf8')) as { step: number }).step;
      assert.ok(killedAt >= 2 && killedAt < 6, `killed after a checkpoint, before the end (step ${killedAt})`);
      assert.equal(await store.current(style), undefined, 'the killed run promoted nothing');

      const result = await runTrainingJob({ kind: 'train', style, architecture, dataset: 'tiny', options: tinyOptions(archOptions), runId, dataDir, runsDir, store, logger });
      assert.equal(result.resumedFromStep, killedAt);
      assert.equal(result.promoted, true, 'with no current model the candidate is promoted');
      assert.equal(await store.current(style), result.version);
      for (const metric of ['psnr', 'ssim', 'fid', 'kid']) assert.ok(Number.isFinite(result.metrics[metric]), `${metric} measured`);
      const metricsJson = JSON.parse(await readFile(path.join(runsDir, runId, 'metrics.json'), 'utf8')) as { steps: number; featureExtractor: string };
      assert.equal(metricsJson.steps, 6);
      assert.match(metricsJson.featureExtractor, /random/i, 'the report names the fallback feature network');
      for (const image of ['samples.png', 'loss-curve.png', 'summary.png']) {
        const meta = await sharp(path.join(runsDir, runId, image)).metadata();
        assert.equal(meta.format, 'png', image);
        assert.ok(meta.width > 100, image);
      }
    });
  }
});

const swapRedBlue = [
  [0, 0, 1],
  [0, 1, 0],
  [1, 0, 0],
];
const negate = [
  [-1, 0, 0],
  [0, -1, 0],
  [0, 0, -1],
];

/** Promotes a fixed 1×1-conv generator that maps each pixel's RGB through `matrix`. */
async function promoteFixedModel(style: string, matrix: number[][]): Promise<string> {
  const model = tf.sequential({
    layers: [tf.layers.conv2d({ inputShape: [SIZE, SIZE, 3], filters: 3, kernelSize: 1, useBias: false, weights: [tf.tensor2d(matrix).reshape([1, 1, 3, 3])] })],
  });
  const meta = await saveLayersModel(store, model, { style, architecture: 'fixed', inputSize: SIZE });
  model.dispose();
  await store.promote(style, meta.version);
  return meta.version;
}

describe('promotion decision on the held-out split', () => {
  const train = (style: string) =>
    runTrainingJob({
      kind: 'train',
      style,
      architecture: 'pix2pix',
      dataset: 'tiny',
      options: tinyOptions(architectures.pix2pix!),
      runId: `${style}-${Date.now()}`,
      dataDir,
      runsDir,
      store,
      logger,
    });

  it('a worse candidate stays a candidate; the current model stays', async () => {
    // The targets are the inputs with red and blue swapped: this current model is exact.
    const style = 'tiny-keep';
    const perfect = await promoteFixedModel(style, swapRedBlue);
    const result = await train(style);
    assert.equal(result.promoted, false);
    assert.ok(result.currentMetrics && result.currentMetrics.ssim! > result.metrics.ssim!);
    assert.equal(await store.current(style), perfect);
    const versions = await store.versions(style);
    assert.deepEqual(versions.find((v) => v.meta.version === result.version)?.meta.status, 'candidate');
  });

  it('a better candidate is promoted over a bad current model', async () => {
    const style = 'tiny-promote';
    const bad = await promoteFixedModel(style, negate);
    const result = await train(style);
    assert.ok(result.currentMetrics && result.currentMetrics.ssim! < result.metrics.ssim!);
    assert.equal(result.promoted, true);
    assert.notEqual(await store.current(style), bad);
    assert.equal(await store.current(style), result.version);
  });
});
