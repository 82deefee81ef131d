import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Config } from '../shared/config.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { loadLayersModel, resolveInputMultiple } from '../shared/models/layers-model-io.js';
import { ModelStoreError } from '../shared/models/model-store.js';
import { exportLayersModelToOnnx, UnsupportedLayerError } from '../shared/models/onnx-export/export-layers-model.js';
import { styleLabel } from '../shared/styles.js';
import { announceModel } from './announce-model.js';
import { CliError } from './cli-error.js';
import { checkInt8Export } from './int8-export-check.js';

export const modelsUsage = `models [list]                      styles, their versions, metrics; * marks the current one
models promote <style> <version>   make a version current (workers reload it)
models rollback <style>            make the previous current version current again
models export <style> [version]    write the version's model.onnx (default: the current one) for ONNX Runtime
  [--int8]                         int8 instead, calibrated on the version's dataset, when it stays ≥ 40 dB PSNR of float32 on held-out photos and is faster`;

export async function modelsCommand(argv: string[], config: Config): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { int8: { type: 'boolean', default: false } } });
  const [action = 'list', style, version] = positionals;
  const store = new DirectoryModelStore(config.MODELS_DIR);
  try {
    switch (action) {
      case 'list':
        await list(store, config.MODELS_DIR);
        return;
      case 'promote':
        if (!style || !version) throw new CliError(`usage: ${modelsUsage}`, 2);
        await store.promote(style, version);
        await announceModel(config, style, version);
        console.log(`${style}: ${version} is now current`);
        return;
      case 'rollback': {
        if (!style) throw new CliError(`usage: ${modelsUsage}`, 2);
        const previous = await store.rollback(style);
        await announceModel(config, style, previous);
        console.log(`${style}: rolled back to ${previous}`);
        return;
      }
      case 'export':
        if (!style) throw new CliError(`usage: ${modelsUsage}`, 2);
        await exportOnnx(store, style, version, values.int8 ? config : undefined);
        return;
      default:
        throw new CliError(`unknown models action "${action}"\nusage: ${modelsUsage}`, 2);
    }
  } catch (err) {
    if (err instanceof ModelStoreError || err instanceof UnsupportedLayerError) throw new CliError(err.message, 2, { cause: err });
    throw err;
  }
}

/** Writes model.onnx: float32, or with `int8` (its DATA_DIR and threads) the int8 graph when it passes its check. */
async function exportOnnx(store: DirectoryModelStore, style: string, requested: string | undefined, int8: Config | undefined): Promise<void> {
  const version = requested ?? (await store.current(style));
  if (!version) throw new CliError(`${style} has no current version; name one (the model list shows them)`, 2);
  const { model, meta } = await loadLayersModel(store, style, version);
  try {
    const { bytes: float32, opset, foldedNorms } = exportLayersModelToOnnx(model, { style, version, architecture: meta.architecture });
    let bytes = float32;
    let kind = 'float32';
    if (int8) {
      const verdict = await checkInt8Export(model, meta, float32, int8.DATA_DIR, int8.TF_THREADS ?? os.availableParallelism());
      console.log(`${style}/${version}: ${verdict.summary}`);
      if (verdict.kept) [bytes, kind] = [verdict.bytes, 'int8'];
    }
    await store.saveOnnx(style, version, bytes);
    const mb = (bytes.byteLength / 2 ** 20).toFixed(1);
    console.log(`${style}/${version}: wrote model.onnx (${kind}, ${mb} MiB, opset ${opset}, ${foldedNorms} batch norm${foldedNorms === 1 ? '' : 's'} folded)`);
  } finally {
    model.dispose();
  }
}

async function list(store: DirectoryModelStore, dir: string): Promise<void> {
  const styles = await store.styles();
  if (!styles.length) {
    console.log(`No styles installed in ${dir}. Train one with \`npm run cli -- train\`.`);
    return;
  }
  for (const style of styles) {
    console.log(`${style} (${styleLabel(style)})`);
    for (const { meta, current } of await store.versions(style)) {
      const metrics = Object.entries(meta.metrics)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ');
      const multiple = resolveInputMultiple(meta);
      const served = multiple ? `trained at ${meta.inputSize}px, served at the photo's size (×${multiple})` : `${meta.inputSize}px, letterboxed`;
      console.log(`  ${current ? '*' : ' '} ${meta.version}  ${meta.architecture} ${served}  ${meta.status}${metrics ? `  ${metrics}` : ''}`);
    }
  }
}
