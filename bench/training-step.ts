/**
 * Times one pix2pix training step (a PatchGAN discriminator update, then a U-Net generator
 * update; batch 1) on the wasm backend with the trainer's extra kernels and on the pure-JS
 * cpu backend.
 *
 *   npx tsx bench/training-step.ts [--sizes 128,256] [--backends wasm,cpu] [--warmup 1] [--steps 2]
 *
 * The networks are a minimal equivalent of pix2pix (Isola et al. 2017, the junyanz
 * reference's defaults): `unet_256`-style U-Net with log2(size) down/up blocks, ngf 64,
 * batch norm, dropout in the three innermost decoders; 70×70 PatchGAN (n_layers 3, ndf 64)
 * on the concatenated pair; vanilla GAN loss + 100·L1; Adam(2e-4, β1 0.5).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import { ganLoss } from '../shared/nets/losses/adversarial.js';
import { l1Loss } from '../shared/nets/losses/pixel.js';
import { normLayer } from '../shared/nets/norm-layer.js';
import { convKernelInit } from '../shared/nets/weight-init.js';
import '../trainer/tf/register-training-kernels.js';

const commaList = (s: string) => s.split(',').map((item) => item.trim());
const argsSchema = z.object({
  sizes: z
    .string()
    .transform((s) => commaList(s).map(Number))
    .pipe(z.array(z.number().int().refine((n) => n >= 32 && Number.isInteger(Math.log2(n)), 'a power of two ≥ 32')).min(1))
    .default([128, 256]),
  backends: z.string().transform(commaList).pipe(z.array(z.enum(['wasm', 'cpu'])).min(1)).default(['wasm', 'cpu']),
  warmup: z.coerce.number().int().min(0).default(1),
  steps: z.coerce.number().int().min(1).default(2),
});
type BenchArgs = z.infer<typeof argsSchema>;

const { values } = parseArgs({
  options: { sizes: { type: 'string' }, backends: { type: 'string' }, warmup: { type: 'string' }, steps: { type: 'string' } },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`usage: npx tsx bench/training-step.ts [--sizes 128,256] [--backends wasm,cpu] [--warmup 1] [--steps 2]\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args: BenchArgs = parsed.data;

type Symbolic = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Symbolic | Symbolic[]) => layer.apply(x) as Symbolic;
const conv = (filters: number, strides: number, useBias: boolean) =>
  tf.layers.conv2d({ filters, kernelSize: 4, strides, padding: 'same', useBias, kernelInitializer: convKernelInit() });

/** pix2pix `UnetGenerator`: down blocks LeakyReLU→conv→BN, up blocks ReLU→deconv→BN(→dropout), skips, tanh. */
function buildUnet(size: number, ngf = 64): tf.LayersModel {
  const depth = Math.log2(size);
  const width = (i: number) => ngf * Math.min(2 ** i, 8);
  const input = tf.input({ shape: [size, size, 3] });
  const skips: Symbolic[] = [];
  let x = apply(conv(width(0), 2, false), input);
  skips.push(x);
  for (let i = 1; i < depth; i++) {
    x = apply(conv(width(i), 2, false), apply(tf.layers.leakyReLU({ alpha: 0.2 }), x));
    if (i < depth - 1) x = apply(normLayer('batch', `down${i}_norm`), x);
    skips.push(x);
  }
  for (let i = depth - 2; i >= 0; i--) {
    x = apply(tf.layers.reLU(), x);
    x = apply(tf.layers.conv2dTranspose({ filters: width(i), kernelSize: 4, strides: 2, padding: 'same', useBias: false, kernelInitializer: convKernelInit() }), x);
    x = apply(normLayer('batch', `up${i}_norm`), x);
    // The reference's num_downs − 5 middle blocks (ngf·8, below the innermost) use dropout.
    if (i >= 3 && i <= depth - 3) x = apply(tf.layers.dropout({ rate: 0.5 }), x);
    x = apply(tf.layers.concatenate(), [x, skips[i]!]);
  }
  x = apply(tf.layers.reLU(), x);
  x = apply(tf.layers.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: convKernelInit() }), x);
  return tf.model({ inputs: input, outputs: apply(tf.layers.activation({ activation: 'tanh' }), x) });
}

/** pix2pix `NLayerDiscriminator` (n_layers 3): 70×70 receptive field, logits per patch. */
function buildPatchGan(size: number, ndf = 64): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 6] });
  let x = apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(conv(ndf, 2, true), input));
  for (const [i, strides] of [2, 2, 1].entries()) {
    x = apply(conv(ndf * 2 ** (i + 1), strides, false), x);
    x = apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(normLayer('batch', `d${i}_norm`), x));
  }
  return tf.model({ inputs: input, outputs: apply(conv(1, 1, true), x) });
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** One pix2pix iteration: D on (A, B) real and (A, G(A)) fake, then G on GAN + 100·L1. */
function makeStep(size: number): { step: () => void; dispose: () => void } {
  const generator = buildUnet(size);
  const discriminator = buildPatchGan(size);
  const optimizerG = tf.train.adam(2e-4, 0.5);
  const optimizerD = tf.train.adam(2e-4, 0.5);
  const a = tf.randomUniform([1, size, size, 3], -1, 1);
  const b = tf.randomUniform([1, size, size, 3], -1, 1);
  const judge = (fake: tf.Tensor) => discriminator.apply(tf.concat([a, fake], 3), { training: true }) as tf.Tensor;
  const step = () => {
    tf.tidy(() => {
      const fake = generator.apply(a, { training: true }) as tf.Tensor;
      optimizerD.minimize(() => tf.mul(tf.add(ganLoss('vanilla', judge(b), true), ganLoss('vanilla', judge(fake), false)), 0.5), false, trainableVariables(discriminator));
      optimizerG.minimize(() => {
        const generated = generator.apply(a, { training: true }) as tf.Tensor;
        return tf.add(ganLoss('vanilla', judge(generated), true), tf.mul(l1Loss(generated, b), 100));
      }, false, trainableVariables(generator));
    });
  };
  const dispose = () => {
    for (const t of [generator, discriminator, optimizerG, optimizerD]) t.dispose();
    tf.dispose([a, b]);
  };
  return { step, dispose };
}

interface StepTime {
  wallMs: number;
  /** CPU time of this process; both backends run on one thread, so it is what an idle machine would take. */
  cpuMs: number;
}

async function bench(backend: BenchArgs['backends'][number], size: number): Promise<StepTime> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const { step, dispose } = makeStep(size);
  const timed: StepTime[] = [];
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
  const mean = (pick: (t: StepTime) => number) => timed.reduce((s, t) => s + pick(t), 0) / timed.length;
  return { wallMs: mean((t) => t.wallMs), cpuMs: mean((t) => t.cpuMs) };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`pix2pix training step (D then G, batch 1), minimal equivalent network; ${args.warmup} warm-up + ${args.steps} timed steps`);
const results: string[] = [];
for (const size of args.sizes) {
  for (const backend of args.backends) {
    const { wallMs, cpuMs } = await bench(backend, size);
    results.push(`${String(size).padStart(4)} px  ${backend.padEnd(5)} ${seconds(wallMs)} wall, ${seconds(cpuMs)} CPU per step`);
  }
}
console.log(results.join('\n'));
