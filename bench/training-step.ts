/**
 * Times one pix2pix training step (a PatchGAN discriminator update, then a U-Net generator
 * update; batch 1) on the wasm backend with the trainer's extra kernels, on the pure-JS cpu
 * backend, and the same iteration in PyTorch (bench/torch_models.py --mode train) when torch
 * imports (see bench/torch-twin.ts), with the same thread count as wasm.
 *
 *   npx tsx bench/training-step.ts [--sizes 128,256] [--backends wasm,cpu,torch] [--threads N] [--warmup 1] [--steps 2]
 *
 * The networks and the update are the model zoo's: the registered 'pix2pix' architecture
 * with its paper defaults (unet_<size> generator, 70×70 PatchGAN, batch norm, vanilla GAN +
 * 100·L1) and the shared `createTrainStep` with the paper's Adam(2e-4, β1 0.5).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import { disposeNetworks } from '../gan/dispose-networks.js';
import { getArchitecture } from '../gan/index.js';
import { createTrainStep } from '../gan/train-step.js';
import { initTf } from '../shared/tf/runtime.js';
import '../trainer/tf/register-training-kernels.js';
import { findTorchPython, runTorchTwin } from './torch-twin.js';

/** The reference's U-Nets by image size (pix2pix.ts `netG`). */
const unetBySize: Record<number, string> = { 32: 'unet_32', 64: 'unet_64', 128: 'unet_128', 256: 'unet_256' };

const commaList = (s: string) => s.split(',').map((item) => item.trim());
const argsSchema = z.object({
  sizes: z
    .string()
    .transform((s) => commaList(s).map(Number))
    .pipe(z.array(z.number().refine((n) => n in unetBySize, `one of ${Object.keys(unetBySize).join(', ')}`)).min(1))
    .default([128, 256]),
  backends: z
    .string()
    .transform(commaList)
    .pipe(z.array(z.enum(['wasm', 'cpu', 'torch'])).min(1))
    .default(['wasm', 'cpu', 'torch']),
  threads: z.coerce.number().int().min(1).max(256).optional(),
  warmup: z.coerce.number().int().min(0).default(1),
  steps: z.coerce.number().int().min(1).default(2),
});
type BenchArgs = z.infer<typeof argsSchema>;

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, backends: { type: 'string' }, threads: { type: 'string' }, warmup: { type: 'string' }, steps: { type: 'string' } },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`usage: npx tsx bench/training-step.ts [--sizes 128,256] [--backends wasm,cpu,torch] [--threads N] [--warmup 1] [--steps 2]\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args: BenchArgs = parsed.data;

/** pix2pix at `size` with a random image pair; `step` runs one D+G update. */
function makeStep(size: number): { step: () => void; dispose: () => void } {
  const arch = getArchitecture('pix2pix');
  const options = arch.options.parse({ imageSize: size, netG: unetBySize[size] });
  const nets = arch.build(options);
  const train = createTrainStep(arch, nets, options, { lr: 2e-4, beta1: 0.5 });
  const batch = { a: tf.randomUniform([1, size, size, 3], -1, 1) as tf.Tensor4D, b: tf.randomUniform([1, size, size, 3], -1, 1) as tf.Tensor4D };
  return {
    step: () => void train.step(batch),
    dispose: () => {
      train.dispose();
      disposeNetworks(nets);
      tf.dispose([batch.a, batch.b]);
    },
  };
}

interface StepTime {
  wallMs: number;
  /** CPU time of this process (all its threads); for the one-threaded cpu backend, what an idle machine would take. */
  cpuMs?: number;
}

// wasm starts through the runtime, which gives it its thread pool; cpu needs no start.
const wasmThreads = args.backends.includes('wasm') ? (await initTf({ TF_BACKEND: 'wasm', TF_THREADS: args.threads })).threads : undefined;
const threads = wasmThreads ?? args.threads ?? 1;
const python = args.backends.includes('torch') ? await findTorchPython() : undefined;

async function bench(backend: BenchArgs['backends'][number], size: number): Promise<StepTime | string> {
  if (backend === 'torch') return benchTorch(size);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const { step, dispose } = makeStep(size);
  const timed: Required<StepTime>[] = [];
  for (let i = 0; i < args.warmup + args.steps; i++) {
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    step();
    const cpu = process.cpuUsage(cpuStart);
    const time = { wallMs: performance.now() - wallStart, cpuMs: (cpu.user + cpu.system) / 1000 };
    const warm = i < args.warmup;
    if (!warm) timed.push(time);
    console.log(
      `  ${backend} ${size}px step ${i + 1}/${args.warmup + args.steps}${warm ? ' (warm-up)' : ''}: ` +
        `${seconds(time.wallMs)} wall, ${seconds(time.cpuMs)} CPU, ${tf.memory().numTensors} tensors`,
    );
  }
  dispose();
  const mean = (pick: (t: Required<StepTime>) => number) => timed.reduce((s, t) => s + pick(t), 0) / timed.length;
  return { wallMs: mean((t) => t.wallMs), cpuMs: mean((t) => t.cpuMs) };
}

async function benchTorch(size: number): Promise<StepTime | string> {
  if (!python) return 'PyTorch not found (apt-get install python3-torch)';
  console.log(`  torch ${size}px: ${args.warmup} warm-up + ${args.steps} timed iterations…`);
  const run = await runTorchTwin(python.command, { arch: 'pix2pix', size, batch: 1, threads, warmup: args.warmup, runs: args.steps, mode: 'train' });
  if (typeof run === 'string') return run;
  return run.ms === null ? 'PyTorch gave no time' : { wallMs: run.ms };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(
  `pix2pix training step (D then G, batch 1); ${args.warmup} warm-up + ${args.steps} timed steps; ` +
    `wasm and PyTorch on ${threads} thread${threads === 1 ? '' : 's'}${python ? `, ${python.version}` : ''}`,
);
const results: string[] = [];
for (const size of args.sizes) {
  const wall = new Map<string, number>();
  for (const backend of args.backends) {
    const time = await bench(backend, size);
    if (typeof time === 'string') {
      results.push(`${String(size).padStart(4)} px  ${backend.padEnd(5)} — ${time}`);
      continue;
    }
    wall.set(backend, time.wallMs);
    const cpu = time.cpuMs === undefined ? '' : `, ${seconds(time.cpuMs)} CPU`;
    results.push(`${String(size).padStart(4)} px  ${backend.padEnd(5)} ${seconds(time.wallMs)} wall${cpu} per step`);
  }
  const ratio = (a: string, b: string) => {
    const [x, y] = [wall.get(a), wall.get(b)];
    if (x !== undefined && y !== undefined) results.push(`${String(size).padStart(4)} px  ${a} is ${(y / x).toFixed(1)}× as fast as ${b}`);
  };
  ratio('wasm', 'cpu');
  ratio('wasm', 'torch');
}
console.log(results.join('\n'));
