/**
 * Times wasm's own Conv2DBackpropInput (a scalar loop) against the sub-pixel one of
 * shared/tf/wasm-conv2d-backprop-input.ts, on the pix2pix U-Net generator forward pass and
 * on a single 4×4 stride-2 'same' transposed conv, both at batch 1.
 *
 *   npx tsx bench/transposed-conv.ts [--size 256] [--ngf 64] [--threads N] [--warmup 1] [--runs 3]
 *
 * Each model is built once; per kernel it runs `warmup` untimed predictions, then `runs`
 * timed ones, and prints their median and the achieved GFLOP/s (multiply-add = 2 FLOPs).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { disposeNetworks } from '../gan/dispose-networks.js';
import { countFlops } from '../gan/flops.js';
import { getArchitecture } from '../gan/index.js';
import { initTf } from '../shared/tf/runtime.js';
import { useFastWasmConv2DBackpropInput, useOriginalWasmConv2DBackpropInput } from '../shared/tf/wasm-conv2d-backprop-input.js';

/** The reference's U-Nets by image size (pix2pix.ts `netG`). */
const unetBySize: Record<number, string> = { 32: 'unet_32', 64: 'unet_64', 128: 'unet_128', 256: 'unet_256' };

const argsSchema = z.object({
  size: z.coerce
    .number()
    .refine((n) => n in unetBySize, `one of ${Object.keys(unetBySize).join(', ')}`)
    .default(256),
  ngf: z.coerce.number().int().min(1).default(64),
  threads: z.coerce.number().int().min(1).max(256).optional(),
  warmup: z.coerce.number().int().min(0).default(1),
  runs: z.coerce.number().int().min(1).default(3),
});
const usage = 'usage: npx tsx bench/transposed-conv.ts [--size 256] [--ngf 64] [--threads N] [--warmup 1] [--runs 3]';
const { values } = parseArgs({
  options: { size: { type: 'string' }, ngf: { type: 'string' }, threads: { type: 'string' }, warmup: { type: 'string' }, runs: { type: 'string' } },
});
const parsed = argsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`${usage}\n${z.prettifyError(parsed.error)}`);
  process.exit(2);
}
const args = parsed.data;

const runtime = await initTf({ TF_BACKEND: 'wasm', TF_THREADS: args.threads });
console.log(`backend: ${runtime.description}`);

const kernels = [
  { name: 'wasm scalar', use: useOriginalWasmConv2DBackpropInput },
  { name: 'sub-pixel', use: useFastWasmConv2DBackpropInput },
] as const;

/** Median seconds of `runs` timed calls after `warmup` untimed ones, per kernel. */
function timeEachKernel(label: string, flops: number, call: () => tf.Tensor): void {
  for (const kernel of kernels) {
    kernel.use();
    for (let i = 0; i < args.warmup; i++) tf.tidy(() => void call().dataSync());
    const seconds: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const start = performance.now();
      tf.tidy(() => void call().dataSync());
      seconds.push((performance.now() - start) / 1000);
    }
    seconds.sort((a, b) => a - b);
    const median = seconds[Math.floor(seconds.length / 2)]!;
    const all = seconds.map((s) => s.toFixed(3)).join(' ');
    console.log(`${label.padEnd(48)} ${kernel.name.padEnd(12)} median ${median.toFixed(3)} s  (${all})  ${(flops / median / 1e9).toFixed(1)} GFLOP/s`);
  }
}

const arch = getArchitecture('pix2pix');
const nets = arch.build(arch.options.parse({ imageSize: args.size, netG: unetBySize[args.size], ngf: args.ngf }));
const generator = nets.generators.G;
if (!generator) throw new Error('pix2pix built no generator G');
const image = tf.randomUniform([1, args.size, args.size, 3], -1, 1);
timeEachKernel(`pix2pix ${unetBySize[args.size]} ngf ${args.ngf}, ${args.size}² batch 1`, countFlops(generator).flops, () => generator.predict(image) as tf.Tensor);
disposeNetworks(nets);
image.dispose();

// A decoder layer of unet_256 ngf 64 (8·ngf skip-concatenated channels up to 4·ngf, 32² → 64²).
const layerIn = 8 * args.ngf;
const layerOut = 4 * args.ngf;
const x = tf.randomUniform([1, 32, 32, layerIn], -1, 1) as tf.Tensor4D;
const w = tf.randomUniform([4, 4, layerOut, layerIn], -0.05, 0.05) as tf.Tensor4D;
const layerFlops = 2 * 64 * 64 * layerOut * layerIn * 4; // each output sees 2×2 of the 4×4 taps
timeEachKernel(`conv2dTranspose 4×4 s2 same 32²×${layerIn} → 64²×${layerOut}`, layerFlops, () => tf.conv2dTranspose(x, w, [1, 64, 64, layerOut], 2, 'same'));
tf.dispose([x, w]);
