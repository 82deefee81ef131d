import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { modelsCommand } from '../../cli/models-command.js';
import { loadConfig } from '../../shared/config.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import { exportLayersModelToOnnx } from '../../shared/models/onnx-export/export-layers-model.js';
import { makePhoto } from '../helpers/images.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';

/*
 * `models export <style> --int8`: calibrates on the version's dataset (DATA_DIR/<dataset>),
 * prints the PSNR against float32 on its held-out photos and its verdict, and writes the int8
 * graph as model.onnx only when the verdict is "kept" (else float32); a version that names no
 * dataset is refused with a message saying so.
 */

let root: string;
let store: DirectoryModelStore;
let config: ReturnType<typeof loadConfig>;
let float32Bytes: number;

before(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(path.join(os.tmpdir(), 'animebot-int8-'));
  config = loadConfig({ ...process.env, MODELS_DIR: path.join(root, 'models'), DATA_DIR: path.join(root, 'data'), TF_THREADS: '1' });
  store = new DirectoryModelStore(config.MODELS_DIR);
  // A paired dataset: input photos in train/A and test/A, targets beside them.
  for (const split of ['train', 'test']) {
    for (const side of ['A', 'B']) {
      const dir = path.join(config.DATA_DIR, 'tiny', split, side);
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < (split === 'train' ? 4 : 2); i++) await writeFile(path.join(dir, `${i}.jpg`), await makePhoto(40 + 8 * i, 32 + 4 * i));
    }
  }
  const generator = buildTinyGenerator(null, 9, [16, 16]);
  float32Bytes = exportLayersModelToOnnx(generator).bytes.byteLength;
  const withData = await saveLayersModel(store, generator, { style: 'toon', architecture: 'test-tiny', inputSize: 32, data: { dataset: 'tiny' } });
  await store.promote('toon', withData.version);
  const withoutData = await saveLayersModel(store, generator, { style: 'sketch', architecture: 'test-tiny', inputSize: 32 });
  await store.promote('sketch', withoutData.version);
  generator.dispose();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function printed(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    await run();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

it('models export --int8 prints the PSNR and verdict, and writes int8 only when it is kept', async () => {
  const output = await printed(() => modelsCommand(['export', 'toon', '--int8'], config));
  const verdict = /PSNR (\d+\.\d) dB \(worst photo (\d+\.\d) dB\).* — (kept|not kept: .*)$/m.exec(output);
  assert.ok(verdict, `no PSNR verdict in:\n${output}`);
  const kept = verdict[3] === 'kept';
  if (kept) assert.ok(Number(verdict[2]) >= 40, 'kept only at 40 dB or more');
  assert.match(output, new RegExp(`wrote model.onnx \\(${kept ? 'int8' : 'float32'}`));
  const onnx = await store.loadOnnx('toon', (await store.current('toon'))!);
  assert.ok(onnx);
  // int8 kernels make the file smaller (on a model this tiny the quantize/dequantize nodes keep it well above a quarter).
  if (kept) assert.ok(onnx.byteLength < 0.8 * float32Bytes, `int8 model.onnx ${onnx.byteLength} B vs float32 ${float32Bytes} B`);
  else assert.ok(Math.abs(onnx.byteLength - float32Bytes) < 0.05 * float32Bytes, `float32 model.onnx ${onnx.byteLength} B vs ${float32Bytes} B`);
});

it('models export --int8 refuses a version that names no dataset to calibrate with', async () => {
  await assert.rejects(modelsCommand(['export', 'sketch', '--int8'], config), /does not name the dataset it was trained on/);
});
