/**
 * `npm run bench:worker`: jobs through the real queue (local redis-server, BullMQ worker in
 * this process) at several image sizes, with dynamic batching on and off, under a number of
 * closed-loop clients (each submits its next job when its previous one finished). Prints per
 * row images/s, end-to-end p50/p95 latency, the model-only time (one image, in the runtime
 * that served the row) and the difference (queue + codec + batching overhead), once per
 * serving runtime: onnx (the version's model.onnx in ONNX Runtime, as TF_BACKEND=onnx serves
 * it) and tfjs (the tfjs backend, as TF_BACKEND=<that backend> serves it).
 *
 * Options: --jobs N per row (default 10; at least one per client) --sizes 256,512
 * --clients 1,4,16 --batching on,off (on: WORKER_MAX_BATCH from the settings, off: 1)
 * --runtimes onnx,tfjs --arch pix2pix --ngf 16
 *
 * Native resolution: --store models [--styles sketch,toon] [--megapixels 0.25,0.5,1]
 * instead runs the current models of a model store, one job at a time, on 4:3 photos of
 * those sizes (MAX_INFERENCE_SIDE raised to fit them, so each runs at its full size), and
 * prints per style and size the inference time (p50 of --jobs), the time per megapixel, the
 * wasm heap (it only grows, so read after each row in increasing size: that row's peak) and
 * the process's peak RSS.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { z } from 'zod';
import { configSchema, loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { createOnnxModel } from '../shared/models/onnx-session.js';
import { getArchitecture } from '../gan/index.js';
import { saveGenerator } from '../gan/save-generator.js';
import { startLocalRedis } from '../shared/process/local-redis.js';
import { translateQueue, translateQueueEvents } from '../shared/queue/queues.js';
import { createRedis, redisOptions } from '../shared/queue/redis.js';
import { TranslateClient } from '../shared/queue/translate-client.js';
import type { Timings } from '../shared/queue/contracts.js';
import { RedisBlobStore } from '../shared/blob/redis-blob-store.js';
import { initTf } from '../shared/tf/runtime.js';
import { startTranslateWorker } from '../worker/translate-worker.js';
import { percentile } from './stats.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10' },
    sizes: { type: 'string', default: '256,512' },
    arch: { type: 'string', default: 'pix2pix' },
    ngf: { type: 'string', default: '16' },
    clients: { type: 'string', default: '1,4,16' },
    batching: { type: 'string', default: 'on,off' },
    runtimes: { type: 'string', default: 'onnx,tfjs' },
    store: { type: 'string' },
    styles: { type: 'string', default: 'sketch,toon' },
    megapixels: { type: 'string', default: '0.25,0.5,1' },
  },
});
const positive = z.coerce.number().int().positive();
const positives = z.array(positive).nonempty();
const csv = (s: string) => s.split(',');
const jobs = positive.parse(values.jobs);
const sizes = positives.parse(csv(values.sizes));
const clientCounts = positives.parse(csv(values.clients));
const batchingModes = z
  .array(z.enum(['on', 'off']))
  .nonempty()
  .parse(csv(values.batching));
const servingRuntimes = z
  .array(z.enum(['onnx', 'tfjs']))
  .nonempty()
  .parse(csv(values.runtimes));
const megapixels = z.array(z.coerce.number().positive().max(16)).nonempty().parse(csv(values.megapixels));
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const logger = createLogger(config, 'bench');
const runtime = await initTf(config, logger);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-bench-'));
const redis = await startLocalRedis({ dir: path.join(workDir, 'redis') });
const store = new DirectoryModelStore(path.join(workDir, 'models'));

/** A worker on the bench's Redis and store, and a client that runs one job and returns its latency. */
async function startSession(workerConfig: typeof config) {
  const worker = await startTranslateWorker({ config: workerConfig, logger, redisUrl: redis.url, store, healthPort: false });
  const client = createRedis(redis.url);
  const queue = translateQueue(redisOptions(redis.url), config);
  const events = translateQueueEvents(redisOptions(redis.url), config);
  await events.waitUntilReady();
  // Every waiting client listens on the queue and its events (EventEmitter warns past 10 per event).
  queue.setMaxListeners(Math.max(...clientCounts) + 10);
  events.setMaxListeners(Math.max(...clientCounts) + 10);
  const translate = new TranslateClient(client, queue, events, new RedisBlobStore(client, config.QUEUE_PREFIX, 600), 600);
  return {
    /** Runs one job; its latency in ms and the backend that served it. */
    async runOne(photo: Buffer, style: string, outputSize: number, stages: Timings[]): Promise<{ ms: number; backend: string }> {
      const t = performance.now();
      const id = await translate.submit(photo, { platform: 'cli', style, outputSize });
      const result = await translate.wait(id);
      await translate.takeOutput(result);
      stages.push(result.timings);
      return { ms: performance.now() - t, backend: result.backend };
    },
    async close() {
      await worker.close();
      await events.close();
      await queue.close();
      client.disconnect();
    },
  };
}

try {
  if (values.store) await benchNativeResolution(values.store);
  else await benchSyntheticModels();
} finally {
  await redis.stop();
  await rm(workDir, { recursive: true, force: true });
}

async function benchSyntheticModels(): Promise<void> {
  console.log(
    `bench:worker — ${values.arch} (ngf ${values.ngf}), ${jobs} jobs per row, tfjs backend ${runtime.description}, ` +
      `batching on = WORKER_MAX_BATCH ${config.WORKER_MAX_BATCH} waiting ${config.WORKER_BATCH_WAIT_MS} ms`,
  );
  const breakdown: string[] = [];
  const served = new Set<string>();
  console.log('size  runtime  batching  clients  images/s  e2e p50   e2e p95   model p50  overhead p50');
  for (const size of sizes) {
    const style = `bench-${size}`;
    const arch = getArchitecture(values.arch);
    const options = arch.options.parse({ imageSize: size, ngf: Number(values.ngf) });
    const nets = arch.build(options);
    const generator = nets.generators[arch.served]!;
    const meta = await saveGenerator(store, generator, { style, architecture: arch.name, inputSize: size, options });
    await store.promote(style, meta.version);

    // Model only: one image through the generator in each runtime, after a warm-up run.
    const input = tf.randomUniform([1, size, size, 3], -1, 1);
    const modelRuns = Math.min(jobs, 5);
    const modelP50 = {
      tfjs: percentile(
        await timeRuns(modelRuns, async () => {
          const out = generator.predict(input) as tf.Tensor;
          await out.data();
          out.dispose();
        }),
        50,
      ),
      onnx: Number.NaN,
    };
    if (servingRuntimes.includes('onnx')) {
      const bytes = await store.loadOnnx(style, meta.version);
      if (!bytes) throw new Error(`${values.arch} was saved without a model.onnx (the exporter refused it); run with --runtimes tfjs`);
      const onnx = await createOnnxModel(bytes, runtime.threads);
      const data = (await input.data()) as Float32Array;
      modelP50.onnx = percentile(await timeRuns(modelRuns, () => onnx.run(data, [1, size, size, 3])), 50);
      await onnx.release();
    }
    input.dispose();
    for (const m of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) m.dispose();

    const photo = await sharp({ create: { width: size, height: size, channels: 3, background: '#7a9' } })
      .jpeg()
      .toBuffer();
    for (const serving of servingRuntimes) {
      // onnx: ONNX Runtime only (a version it cannot serve fails the row); tfjs: the tfjs backend
      // only (this process's tfjs backend is already chosen; the setting decides the serving).
      const TF_BACKEND = serving === 'onnx' ? 'onnx' : configSchema.shape.TF_BACKEND.parse(runtime.backend);
      for (const batching of batchingModes) {
        const session = await startSession({ ...config, TF_BACKEND, DEFAULT_STYLE: style, WORKER_MAX_BATCH: batching === 'on' ? config.WORKER_MAX_BATCH : 1 });
        served.add((await session.runOne(photo, style, size, [])).backend); // loads and warms the model in the worker
        for (const clients of clientCounts) {
          // Closed loop: every client submits its next job as soon as its previous one finished, until the row's jobs are all submitted.
          const rowJobs = Math.max(jobs, clients);
          const stages: Timings[] = [];
          const latencies: number[] = [];
          let submitted = 0;
          const rowStart = performance.now();
          await Promise.all(
            Array.from({ length: clients }, async () => {
              while (submitted < rowJobs) {
                submitted++;
                latencies.push((await session.runOne(photo, style, size, stages)).ms);
              }
            }),
          );
          const imagesPerSecond = rowJobs / ((performance.now() - rowStart) / 1000);

          const p50 = percentile(latencies, 50);
          const stage = (k: keyof Timings) =>
            fmt(
              percentile(
                stages.map((s) => s[k]),
                50,
              ),
            );
          const row = `${String(size).padEnd(5)} ${serving.padEnd(8)} ${batching.padEnd(9)} ${String(clients).padStart(7)} `;
          breakdown.push(`${row} ${stage('queueWaitMs')} ${stage('decodeMs')} ${stage('inferenceMs')} ${stage('encodeMs')} ${stage('totalMs')}`);
          const model = modelP50[serving];
          console.log(`${row} ${imagesPerSecond.toFixed(2).padStart(8)}  ${fmt(p50)} ${fmt(percentile(latencies, 95))} ${fmt(model)}  ${fmt(p50 - model)}`);
        }
        await session.close();
      }
    }
  }
  console.log(`\nserved by: ${[...served].join('; ')}`);
  console.log('\nworker stages, p50 (inference = letterbox or pad + wait for batch mates + model + crop/resize):');
  console.log('size  runtime  batching  clients  queue wait  decode     inference  encode     worker total');
  for (const line of breakdown) console.log(line);
}

/** The current models of `root` (a model store) at their serving path, on 4:3 photos of each size in `megapixels`. */
async function benchNativeResolution(root: string): Promise<void> {
  const source = new DirectoryModelStore(root);
  const styles = csv(values.styles);
  // Copy each style's current version, so the bench never writes to the real store.
  for (const style of styles) {
    const version = await source.current(style);
    if (!version) throw new Error(`${root} has no current ${style} model`);
    await cp(path.join(root, style, version), path.join(store.root, style, version), { recursive: true });
    await store.promote(style, version);
  }
  const photos = megapixels
    .sort((a, b) => a - b)
    .map((mp) => {
      const height = Math.round(Math.sqrt((mp * 1e6 * 3) / 4));
      return { mp, width: Math.round((height * 4) / 3), height };
    });
  const largest = Math.max(...photos.map((p) => p.width));
  const session = await startSession({
    ...config,
    MAX_INFERENCE_SIDE: Math.max(config.MAX_INFERENCE_SIDE, largest),
    MAX_OUTPUT_SIDE: Math.max(config.MAX_OUTPUT_SIDE, largest),
    WORKER_MAX_BATCH: 1,
  });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  console.log(`bench:worker native resolution — ${styles.join(', ')} from ${root}, ${jobs} jobs per row, one at a time, tfjs backend ${runtime.description}`);
  const served = new Set<string>();
  console.log('style   photo       MP    inference p50   ms/MP   heap so far  RSS so far');
  try {
    for (const style of styles) {
      for (const [index, { mp, width, height }] of photos.entries()) {
        progress(`[${style} ${index + 1}/${photos.length}] ${width}×${height}: ${jobs} jobs…`);
        const photo = await sharp(photoLike(width, height), { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 92 })
          .toBuffer();
        const stages: Timings[] = [];
        served.add(`${style}: ${(await session.runOne(photo, style, width, [])).backend}`); // loads the model, and warms it at this size
        for (let i = 0; i < jobs; i++) await session.runOne(photo, style, width, stages);
        const inference = percentile(
          stages.map((s) => s.inferenceMs),
          50,
        );
        const realMp = (width * height) / 1e6;
        console.log(
          `${style.padEnd(7)} ${`${width}×${height}`.padEnd(10)} ${mp.toFixed(2).padStart(5)} ${fmt(inference).padStart(15)} ${(inference / realMp).toFixed(0).padStart(7)} ${mib(wasmHeapBytes()).padStart(11)} ${mib(peakRss).padStart(10)}`,
        );
      }
    }
    console.log(`\nserved by: ${[...served].join('; ')}`);
  } finally {
    clearInterval(sampler);
    await session.close();
  }
}

/** ms of each of `runs` calls of `once`, after one untimed warm-up call. */
async function timeRuns(runs: number, once: () => Promise<unknown>): Promise<number[]> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  return times;
}

/** Raw RGB of a photo-like picture (gradients and a pattern), so that the codec has real work. */
function photoLike(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixels.set([(255 * x) / width, (255 * y) / height, 128 + 100 * Math.sin((x * y) / 5000)], (y * width + x) * 3);
    }
  }
  return pixels;
}

/** Bytes of the wasm backend's heap (Emscripten memory only grows: the peak so far); NaN on other backends. */
function wasmHeapBytes(): number {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? Number.NaN;
}

function mib(bytes: number): string {
  return Number.isNaN(bytes) ? '—' : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fmt(ms: number): string {
  return `${ms.toFixed(1).padStart(7)} ms`;
}
