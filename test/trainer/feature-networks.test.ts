import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadConfig } from '../../shared/config.js';
import { createLogger } from '../../shared/logger.js';
import { activeFeatureNetwork } from '../../gan/losses/feature-network.js';
import { FeatureWeightsError, loadFeatureNetworks } from '../../trainer/feature-networks.js';
import { runTrainingJob } from '../../trainer/run-training-job.js';
import { writeConvertedModel } from '../helpers/converted-model.js';
import { writePairedDataset } from '../helpers/paired-dataset.js';
import { tinyModelStore } from '../helpers/tiny-model.js';

/*
 * FEATURE_WEIGHTS_DIR and INCEPTION_WEIGHTS_DIR reach the trainer: an eval job scores with
 * the converted model the setting names and its report says so; a setting that names no
 * converted model fails with an error naming the setting and the path.
 */

const SIZE = 32;
const logger = createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test' }, 'test');
let root: string;
let dataDir: string;
let inceptionDir: string;
let vggDir: string;
let store: Awaited<ReturnType<typeof tinyModelStore>>['store'];

/** Settings as the processes read them from the environment. */
const settings = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });

const evalJob = (featureWeights: ReturnType<typeof settings>, runId: string) =>
  runTrainingJob({ kind: 'eval', style: 'tiny', architecture: 'pix2pix', dataset: 'tiny', runId, dataDir, runsDir: path.join(root, 'runs'), store, logger, featureWeights });

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'animebot-feature-weights-'));
  dataDir = path.join(root, 'data');
  await writePairedDataset(path.join(dataDir, 'tiny'), { train: 2, test: 4 }, SIZE);
  ({ store } = await tinyModelStore(['tiny'], SIZE));
  // A stand-in for a converted InceptionV3 (include_top=False, pooling='avg'): any size in, 2048 features out.
  inceptionDir = path.join(root, 'tiny-inception');
  await mkdir(inceptionDir);
  const inception = tf.sequential({
    layers: [tf.layers.globalAveragePooling2d({ inputShape: [null, null, 3] }), tf.layers.dense({ units: 2048, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })],
  });
  await writeConvertedModel(inception, inceptionDir);
  inception.dispose();
  // A stand-in for a converted Keras VGG: the layers the perceptual losses tap, by their Keras names.
  vggDir = path.join(root, 'tiny-vgg');
  await mkdir(vggDir);
  const vgg = tf.sequential({
    layers: [1, 2, 3, 4, 5].map((block) =>
      tf.layers.conv2d({ name: `block${block}_conv1`, filters: 2, kernelSize: 1, activation: 'relu', ...(block === 1 ? { inputShape: [null, null, 3] } : {}) }),
    ),
  });
  await writeConvertedModel(vgg, vggDir);
  vgg.dispose();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(store.root, { recursive: true, force: true });
});

describe('INCEPTION_WEIGHTS_DIR', () => {
  it('scores FID/KID with the converted model it names, and the report names that network', async () => {
    const converted = await evalJob(settings({ INCEPTION_WEIGHTS_DIR: inceptionDir }), 'with-inception');
    const fallback = await evalJob(settings({}), 'without-inception');
    const report = async (runId: string) =>
      JSON.parse(await readFile(path.join(root, 'runs', runId, 'metrics.json'), 'utf8')) as { featureExtractor: string; metrics: Record<string, number> };
    const [withSetting, without] = [await report('with-inception'), await report('without-inception')];
    assert.equal(withSetting.featureExtractor, 'inception-v3-pool3(tiny-inception)');
    assert.match(without.featureExtractor, /random-conv-pyramid/);
    assert.ok(Number.isFinite(converted.metrics.fid) && Number.isFinite(fallback.metrics.fid), 'FID measured both times');
    assert.notEqual(converted.metrics.fid, fallback.metrics.fid, 'the converted network gives other FID values than the fallback');
    assert.equal(converted.metrics.ssim, fallback.metrics.ssim, 'pixel metrics do not depend on the feature network');
  });

  it('a directory that does not exist, or holds no model.json, fails with an error naming the setting and the path', async () => {
    const missing = path.join(root, 'no-such-weights');
    await assert.rejects(evalJob(settings({ INCEPTION_WEIGHTS_DIR: missing }), 'missing'), (err: unknown) => {
      assert.ok(err instanceof FeatureWeightsError);
      assert.equal(err.setting, 'INCEPTION_WEIGHTS_DIR');
      assert.equal(err.message, `INCEPTION_WEIGHTS_DIR=${missing}: no such directory`);
      return true;
    });
    await assert.rejects(loadFeatureNetworks(settings({ FEATURE_WEIGHTS_DIR: dataDir })), (err: unknown) => {
      assert.ok(err instanceof FeatureWeightsError);
      assert.match(err.message, new RegExp(`^FEATURE_WEIGHTS_DIR=${dataDir}: no model.json`));
      return true;
    });
  });
});

describe('FEATURE_WEIGHTS_DIR', () => {
  it('makes the converted network the perceptual losses use while loaded, then restores the previous one and frees it', async () => {
    const previous = activeFeatureNetwork();
    const start = tf.memory().numTensors;
    const networks = await loadFeatureNetworks(settings({ FEATURE_WEIGHTS_DIR: vggDir }));
    assert.equal(activeFeatureNetwork().name, 'tiny-vgg (caffe)');
    assert.deepEqual(activeFeatureNetwork().layers, ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1']);
    assert.match(networks.extractor.name, /random-conv-pyramid/, 'FID/KID keep their own fallback without INCEPTION_WEIGHTS_DIR');
    networks.dispose();
    assert.equal(activeFeatureNetwork(), previous);
    assert.equal(tf.memory().numTensors, start);
  });

  it('a converted network without the tapped layers fails with an error naming the setting', async () => {
    await assert.rejects(loadFeatureNetworks(settings({ FEATURE_WEIGHTS_DIR: inceptionDir })), (err: unknown) => {
      assert.ok(err instanceof FeatureWeightsError);
      assert.match(err.message, new RegExp(`^FEATURE_WEIGHTS_DIR=${inceptionDir}: .*no layer\\(s\\) block1_conv1`));
      return true;
    });
  });
});
