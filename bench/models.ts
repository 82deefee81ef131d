/**
 * `npm run bench:models`: forward throughput of each served generator of the model zoo on the
 * worker's tfjs backend and in ONNX Runtime (its export, shared/models/onnx-export/, as the
 * worker serves it: the batch copied out of tfjs and back), next to the same network in
 * PyTorch when it is installed.
 *
 *   npm run bench:models -- [--archs pix2pix,cyclegan,...] [--batches 1,4] [--threads N]
 *                           [--warmup 1] [--runs 3] [--slow-seconds 30] [--no-torch] [--profile]
 *
 * Per architecture (its paper defaults: pix2pix is the U-Net 256 with ngf 64, cyclegan the
 * ResNet-9 generator) and batch size: median time of `runs` forwards after `warmup` untimed
 * ones, images/s, FLOPs per image (gan/flops.ts; ≈ where layers are estimated) and the
 * achieved GFLOP/s. When a forward at batch 1 takes longer than --slow-seconds, that network is
 * timed once and its larger batches are skipped (say --archs NAME --batches 4 to force them).
 *
 * PyTorch: bench/torch_models.py builds the identical network (its trainable parameter count
 * is printed beside ours and must match) and times it with the same size, batch and thread
 * count. It runs under the first of `python3`, `/usr/bin/python3` that imports torch (Debian:
 * `apt-get install python3-torch`). The ratio columns are our images/s (tfjs, ONNX) over PyTorch's.
 * An architecture the exporter refuses says why in its onnx column.
 *
 * --int8 DIR: also the int8 export (shared/models/onnx-export/int8-export.ts), calibrated on 4
 * photos of the dataset in DIR's training split, its PSNR against the float32 export on 4 of
 * its held-out photos, and its time; the worker serves int8 only at ≥ 40 dB (models export --int8).
 *
 * --profile: after each network's timings, where one batch-1 forward spends its time: by tfjs
 * kernel (tf.profile), by ONNX Runtime operator of the optimised graph (its session profiler)
 * and by PyTorch operator (torch.autograd.profiler, self CPU time), most expensive first.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { loadConfig } from '../shared/config.js';
import { exportLayersModelToOnnx } from '../shared/models/onnx-export/export-layers-model.js';
import { exportInt8, int8MinPsnrDb } from '../shared/models/onnx-export/int8-export.js';
import { datasetPhotos } from '../cli/int8-export-check.js';
import { onnxProfileByOperator } from './onnx-profile.js';
import { createOnnxModel, type OnnxModel } from '../shared/models/onnx-session.js';
import { disposeNetworks } from '../gan/dispose-networks.js';
import { countFlops } from '../gan/flops.js';
import { getArchitecture, listArchitectures, type Architecture } from '../gan/index.js';
import { trainableParamCount } from '../gan/param-count.js';
import { initTf } from '../shared/tf/runtime.js';
import { timeForward, type ForwardTiming } from '../shared/tf/time-forward.js';
import { findTorchPython, runTorchTwin, type TorchResult } from './torch-twin.js';

/** Architectures the worker can serve; ome-pretrain only trains OME's generator. */
const servedArchitectures = listArchitectures()
  .map((arch) => arch.name)
  .filter((name) => name !== 'ome-pretrain');
/** The two reference networks first, then the papers'. */
const defaultOrder = ['pix2pix', 'cyclegan', ...servedArchitectures.filter((n) => n !== 'pix2pix' && n !== 'cyclegan')];

const commaList = (s: string) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const argsSchema = z.object({
  archs: z
    .string()
    .transform(commaList)
    .pipe(z.array(z.enum(servedArchitectures as [string, ...string[]])).min(1))
    .default(defaultOrder),
  batches: z
    .string()
    .transform((s) => commaList(s).map(Number))
    .pipe(z.array(z.number().int().min(1).max(64)).min(1))
    .default([1, 4]),
  threads: z.coerce.number().int().min(1).max(256).optional(),
  warmup: z.coerce.number().int().min(0).default(1),
  runs: z.coerce.number().int().min(1).default(3),
  'slow-seconds': z.coerce.number().positive().default(30),
  'no-torch': z.boolean().default(false),
  profile: z.boolean().default(false),
  int8: z.string().min(1).optional(),
});
const usage =
  'usage: npm run bench:models -- [--archs pix2pix,cyclegan,...] [--batches 1,4] [--threads N] [--warmup 1] [--runs 3] [--slow-seconds 30] [--no-torch] [--profile] [--int8 DATASET_DIR]';
const { values } = parseArgs({
  options: {
    archs: { type: 'string' },
    batches: { type: 'string' },
    threads: { type: 'string' },
    warmup: { type: 'string' },
    runs: { type: 'string' },
    'slow-seconds': { type: 'string' },
    'no-torch': { type: 'boolean' },
    profile: { type: 'boolean' },
    int8: { type: 'string' },
  },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`${usage}\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args = parsed.data;

interface Row {
  arch: string;
  size: number;
  batch: number;
  params: number;
  flopsPerImage: number;
  flopsEstimated: boolean;
  ours: ForwardTiming;
  /** The ONNX export in ONNX Runtime, or why there is none. */
  onnx: ForwardTiming | string;
  /** The int8 export's time and PSNR, or why there is none; undefined without --int8. */
  int8: { timing: ForwardTiming | string; psnrDb: number; worstPsnrDb: number } | string | undefined;
  /** PyTorch's forward time, or why there is none; undefined without a Python to run it. */
  torch: TorchResult | string | undefined;
}

const config = loadConfig();
const runtime = await initTf({ TF_BACKEND: config.TF_BACKEND, TF_THREADS: args.threads ?? config.TF_THREADS });
const threads = runtime.threads;
const python = args['no-torch'] ? undefined : await findTorchPython();
progress(`backend: ${runtime.description}; PyTorch: ${python ? `${python.version} (${python.command}, ${threads} thread${threads === 1 ? '' : 's'})` : 'not compared'}`);

/** ONNX Runtime's description, from the first session opened. */
let onnxRuntime: string | undefined;
const rows: Row[] = [];
for (const name of args.archs) rows.push(...(await benchArchitecture(getArchitecture(name))));
printTable(rows);

async function benchArchitecture(arch: Architecture): Promise<Row[]> {
  const options = arch.options.parse({});
  const size = arch.inputSize(options);
  const nets = arch.build(options);
  const rowsOfArch: Row[] = [];
  try {
    const served = nets.generators[arch.served];
    if (!served) throw new Error(`${arch.name}: served generator ${arch.served} was not built`);
    const { flops, approximated } = countFlops(served, { inputSize: size });
    const params = trainableParamCount([served]);
    const onnx = await openOnnx(served);
    onnxRuntime ??= typeof onnx === 'string' ? undefined : onnx.description;
    const int8 = args.int8 ? await openInt8(served, args.int8, size) : undefined;
    for (const batch of args.batches) {
      const slow = rowsOfArch[0] && rowsOfArch[0].ours.msPerBatch > args['slow-seconds'] * 1000;
      if (slow && args.batches.length > 1 && batch > 1) {
        progress(`  ${arch.name}: batch ${batch} skipped (batch 1 took ${(rowsOfArch[0]!.ours.msPerBatch / 1000).toFixed(1)} s)`);
        continue;
      }
      progress(`  ${arch.name} ${size}² batch ${batch}: ours…`);
      let ours: ForwardTiming;
      try {
        ours = await timeForward(served, { size, batch, warmup: args.warmup, runs: args.runs, slowMs: args['slow-seconds'] * 1000 });
      } catch (err) {
        // e.g. a large batch past wasm's 4 GB heap: the other rows still count.
        progress(`  ${arch.name} ${size}² batch ${batch}: failed — ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      progress(`  ${arch.name} ${size}² batch ${batch}: ours ${(ours.msPerBatch / 1000).toFixed(3)} s; onnx…`);
      const onnxTiming = typeof onnx === 'string' ? onnx : await timeOnnx(onnx, size, batch);
      const onnxSeconds = typeof onnxTiming === 'string' ? onnxTiming : `${(onnxTiming.msPerBatch / 1000).toFixed(3)} s`;
      progress(`  ${arch.name} ${size}² batch ${batch}: onnx ${onnxSeconds}${python ? '; PyTorch…' : ''}`);
      let int8Row: Row['int8'];
      if (int8) {
        int8Row = typeof int8 === 'string' ? int8 : { timing: await timeOnnx(int8.model, size, batch), psnrDb: int8.psnrDb, worstPsnrDb: int8.worstPsnrDb };
        progress(
          `  ${arch.name} ${size}² batch ${batch}: int8 ${typeof int8Row === 'string' || typeof int8Row.timing === 'string' ? 'failed' : `${(int8Row.timing.msPerBatch / 1000).toFixed(3)} s`}`,
        );
      }
      const torch = python ? await torchForward(python.command, arch.name, size, batch, ours.runs) : undefined;
      rowsOfArch.push({ arch: arch.name, size, batch, params, flopsPerImage: flops, flopsEstimated: approximated.length > 0, ours, onnx: onnxTiming, int8: int8Row, torch });
    }
    if (typeof onnx !== 'string') await onnx.release();
    if (int8 && typeof int8 !== 'string') await int8.model.release();
    if (args.profile) await printProfiles(arch.name, served, size);
  } finally {
    disposeNetworks(nets);
  }
  return rowsOfArch;
}

/** The generator's ONNX export in ONNX Runtime with the bench's threads, or why it cannot be. */
async function openOnnx(served: tf.LayersModel): Promise<OnnxModel | string> {
  try {
    return await createOnnxModel(exportLayersModelToOnnx(served).bytes, threads);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The generator's int8 export, calibrated and checked on a dataset's photos, in ONNX Runtime; or why it cannot be. */
async function openInt8(served: tf.LayersModel, dir: string, size: number): Promise<{ model: OnnxModel; psnrDb: number; worstPsnrDb: number } | string> {
  try {
    const { calibration, heldOut } = await datasetPhotos(dir, size, [-1, 1], { calibration: 4, heldOut: 4 });
    progress(`  int8: calibrating on ${calibration.length} photos of ${dir}, checking on ${heldOut.length} held-out ones…`);
    const int8 = await exportInt8(served, { calibration, heldOut, valueRange: [-1, 1], threads });
    return { model: await createOnnxModel(int8.bytes, threads), psnrDb: int8.psnrDb, worstPsnrDb: int8.worstPsnrDb };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function timeOnnx(onnx: OnnxModel, size: number, batch: number): Promise<ForwardTiming | string> {
  const forward = async (images: tf.Tensor4D) => {
    await onnx.run((await images.data()) as Float32Array, [batch, size, size, 3]);
  };
  try {
    return await timeForward(forward, { size, batch, warmup: args.warmup, runs: args.runs, slowMs: args['slow-seconds'] * 1000 });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The PyTorch twin, timed as ours was (same warm-up and number of runs); an error is shown in its row. */
function torchForward(command: string, arch: string, size: number, batch: number, runs: number): Promise<TorchResult | string> {
  return runTorchTwin(command, { arch, size, batch, threads, warmup: runs === 1 ? 0 : args.warmup, runs, mode: 'forward' });
}

/** One batch-1 forward by tfjs kernel, ONNX Runtime operator and PyTorch operator. */
async function printProfiles(name: string, model: tf.LayersModel, size: number): Promise<void> {
  printTop(`${name}: one ${size}² forward by tfjs kernel`, await tfjsProfileByKernel(model, size));
  const input = tf.tidy(() => tf.randomUniform([1, size, size, 3], -1, 1).dataSync() as Float32Array);
  try {
    printTop(`${name}: by ONNX Runtime operator`, await onnxProfileByOperator(exportLayersModelToOnnx(model).bytes, threads, input, [1, size, size, 3]));
  } catch (err) {
    console.log(`\n${name}: no ONNX profile — ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!python) return;
  const torch = await runTorchTwin(python.command, { arch: name, size, batch: 1, threads, warmup: args.warmup, runs: 1, mode: 'forward', profile: true });
  if (typeof torch === 'object' && torch.profile) printTop(`${name}: by PyTorch operator (self CPU time)`, torch.profile);
  else console.log(`\n${name}: no PyTorch profile — ${typeof torch === 'string' ? torch : 'none returned'}`);
}

/** Time per tfjs kernel of one batch-1 forward (kernels called inside other kernels are not listed apart). */
async function tfjsProfileByKernel(model: tf.LayersModel, size: number): Promise<[string, number][]> {
  const image = tf.randomUniform([1, size, size, 3], -1, 1);
  try {
    const profile = await tf.profile(() => {
      const out = model.predict(image) as tf.Tensor;
      out.dataSync();
      return out;
    });
    const byKernel = new Map<string, number>();
    for (const kernel of profile.kernels) {
      // Ops (`conv2d__op`) wrap the kernels they run; count the kernels only.
      if (kernel.name.endsWith('__op')) continue;
      const ms = typeof kernel.kernelTimeMs === 'number' ? kernel.kernelTimeMs : 0;
      byKernel.set(kernel.name, (byKernel.get(kernel.name) ?? 0) + ms);
    }
    return [...byKernel].sort((a, b) => b[1] - a[1]);
  } finally {
    image.dispose();
  }
}

function printTop(title: string, entries: [string, number][]): void {
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`\n${title} (${total.toFixed(0)} ms in all listed)`);
  for (const [op, ms] of entries.slice(0, 10)) console.log(`  ${op.padEnd(28)} ${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %`);
}

function printTable(all: Row[]): void {
  console.log(
    `\n${runtime.description} and ${onnxRuntime ?? 'no ONNX Runtime'} vs ${python?.version ?? 'no PyTorch'}, ${threads} thread${threads === 1 ? '' : 's'}, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  );
  console.log(
    [
      'architecture'.padEnd(17),
      'input'.padStart(6),
      'batch'.padStart(5),
      'params (ours)'.padStart(14),
      'params (torch)'.padStart(15),
      'GFLOP/img'.padStart(10),
      's/batch'.padStart(8),
      'img/s'.padStart(7),
      'GFLOP/s'.padStart(8),
      'torch s/batch'.padStart(14),
      'torch img/s'.padStart(12),
      'ours/torch'.padStart(11),
      'onnx s/batch'.padStart(13),
      'onnx img/s'.padStart(11),
      'onnx/torch'.padStart(11),
      ...(args.int8 ? ['int8 s/batch'.padStart(13), 'int8/torch'.padStart(11), 'int8 PSNR dB'.padStart(13)] : []),
    ].join(' '),
  );
  for (const row of all) {
    const seconds = row.ours.msPerBatch / 1000;
    const imagesPerSecond = row.batch / seconds;
    const torch = typeof row.torch === 'object' ? row.torch : undefined;
    const torchSeconds = torch?.ms != null ? torch.ms / 1000 : undefined;
    const torchImagesPerSecond = torchSeconds ? row.batch / torchSeconds : undefined;
    const onnxSeconds = typeof row.onnx === 'object' ? row.onnx.msPerBatch / 1000 : undefined;
    const onnxImagesPerSecond = onnxSeconds ? row.batch / onnxSeconds : undefined;
    const paramsMatch = torch ? (torch.params === row.params ? '' : ' ≠') : '';
    console.log(
      [
        row.arch.padEnd(17),
        `${row.size}²`.padStart(6),
        String(row.batch).padStart(5),
        row.params.toLocaleString('en-US').padStart(14),
        (torch ? torch.params.toLocaleString('en-US') + paramsMatch : '—').padStart(15),
        `${row.flopsEstimated ? '≈' : ''}${(row.flopsPerImage / 1e9).toFixed(2)}`.padStart(10),
        seconds.toFixed(3).padStart(8),
        imagesPerSecond.toFixed(2).padStart(7),
        ((row.flopsPerImage * row.batch) / seconds / 1e9).toFixed(1).padStart(8),
        (torchSeconds?.toFixed(3) ?? '—').padStart(14),
        (torchImagesPerSecond?.toFixed(2) ?? '—').padStart(12),
        (torchImagesPerSecond ? `${(imagesPerSecond / torchImagesPerSecond).toFixed(2)}×` : '—').padStart(11),
        (onnxSeconds?.toFixed(3) ?? '—').padStart(13),
        (onnxImagesPerSecond?.toFixed(2) ?? '—').padStart(11),
        (onnxImagesPerSecond && torchImagesPerSecond ? `${(onnxImagesPerSecond / torchImagesPerSecond).toFixed(2)}×` : '—').padStart(11),
        ...(args.int8 ? int8Cells(row, torchSeconds) : []),
      ].join(' '),
    );
    if (typeof row.torch === 'string') console.log(`    PyTorch failed: ${row.torch}`);
    if (typeof row.onnx === 'string') console.log(`    ONNX: ${row.onnx}`);
    if (typeof row.int8 === 'string') console.log(`    int8: ${row.int8}`);
  }
  const mismatched = all.filter((row) => typeof row.torch === 'object' && row.torch.params !== row.params);
  if (mismatched.length) console.log(`\nparameter counts differ (≠) for: ${[...new Set(mismatched.map((r) => r.arch))].join(', ')} — those ratios compare different networks`);
}

/** int8 s/batch, int8/torch and PSNR (overall/worst photo, ✗ below the guard) cells. */
function int8Cells(row: Row, torchSeconds: number | undefined): string[] {
  const int8 = typeof row.int8 === 'object' ? row.int8 : undefined;
  const seconds = int8 && typeof int8.timing === 'object' ? int8.timing.msPerBatch / 1000 : undefined;
  const guard = int8 && Math.min(int8.psnrDb, int8.worstPsnrDb) >= int8MinPsnrDb ? '' : ' ✗';
  return [
    (seconds?.toFixed(3) ?? '—').padStart(13),
    (seconds && torchSeconds ? `${(torchSeconds / seconds).toFixed(2)}×` : '—').padStart(11),
    (int8 ? `${int8.psnrDb.toFixed(1)}/${int8.worstPsnrDb.toFixed(1)}${guard}` : '—').padStart(13),
  ];
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}
