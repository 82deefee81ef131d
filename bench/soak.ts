/**
 * `npm run bench:soak`: thousands of small jobs through the real queue to a translate worker
 * in its own process (as `npm start` runs it), printing the worker's memory over time — RSS,
 * JS heap, the wasm backend's heap and live tensors, read from its /metrics — so that what
 * grows shows. Inputs are photos of several sizes (decoding and resizing them is where
 * native memory goes); the model is a small pix2pix (ngf 8), so the run is about the
 * pipeline, not the model.
 *
 * Options: --jobs N (default 2000) --clients N (default 4) --every N jobs per row (default
 * 200) --size model input: 32, 64, 128 or 256 (default 64). The worker's environment is this
 * one's: try e.g. MALLOC_ARENA_MAX or TF_BACKEND on the command line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { getArchitecture } from '../gan/index.js';
import { saveGenerator } from '../gan/save-generator.js';
import { RedisBlobStore } from '../shared/blob/redis-blob-store.js';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { childServiceEnvDefaults, startChildService } from '../shared/process/child-service.js';
import { freePort, startLocalRedis } from '../shared/process/local-redis.js';
import { translateQueue, translateQueueEvents } from '../shared/queue/queues.js';
import { createRedis, redisOptions } from '../shared/queue/redis.js';
import { TranslateClient } from '../shared/queue/translate-client.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    clients: { type: 'string', default: '4' },
    every: { type: 'string', default: '200' },
    size: { type: 'string', default: '64' },
  },
});
const positive = z.coerce.number().int().positive();
const jobs = positive.parse(values.jobs);
const clients = positive.parse(values.clients);
const every = positive.parse(values.every);
const size = z.coerce
  .number()
  .pipe(z.union([z.literal(32), z.literal(64), z.literal(128), z.literal(256)]))
  .parse(values.size);

const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const logger = createLogger(config, 'soak');
const workDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-soak-'));
const redis = await startLocalRedis({ dir: path.join(workDir, 'redis') });
const store = new DirectoryModelStore(path.join(workDir, 'models'));
const style = 'soak';
const arch = getArchitecture('pix2pix');
const options = arch.options.parse({ imageSize: size, netG: `unet_${size}`, ngf: 8 });
const nets = arch.build(options);
await store.promote(style, (await saveGenerator(store, nets.generators[arch.served]!, { style, architecture: arch.name, inputSize: size, options })).version);
for (const m of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) m.dispose();

// Camera-like sizes, JPEG and PNG, with noise so that they do not compress to nothing.
const inputs: { width: number; height: number; format: 'jpeg' | 'png' }[] = [
  { width: 320, height: 240, format: 'jpeg' },
  { width: 800, height: 600, format: 'jpeg' },
  { width: 1280, height: 960, format: 'png' },
  { width: 2048, height: 1536, format: 'jpeg' },
  { width: 600, height: 900, format: 'png' },
];
const photos = await Promise.all(
  inputs.map(({ width, height, format }) =>
    sharp({ create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .toFormat(format)
      .toBuffer(),
  ),
);

const healthPort = await freePort();
const worker = startChildService({
  name: 'worker',
  script: 'worker/main.ts',
  env: { ...process.env, LOG_LEVEL: 'warn', REDIS_URL: redis.url, MODELS_DIR: store.root, DEFAULT_STYLE: style, HEALTH_PORT: String(healthPort) },
  logger,
});
const client = createRedis(redis.url);
const queue = translateQueue(redisOptions(redis.url), config);
const events = translateQueueEvents(redisOptions(redis.url), config);
try {
  await worker.ready;
  await events.waitUntilReady();
  queue.setMaxListeners(clients + 10);
  events.setMaxListeners(clients + 10);
  const translate = new TranslateClient(client, queue, events, new RedisBlobStore(client, config.QUEUE_PREFIX, 600), 600);

  console.log(
    `bench:soak — ${jobs} jobs, ${clients} clients, pix2pix unet_${size} ngf 8, inputs ${photos.length} sizes up to 2048×1536, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? childServiceEnvDefaults.MALLOC_ARENA_MAX}`,
  );
  console.log('   jobs  elapsed  jobs/s   RSS MB  JS heap MB  wasm heap MB  tensors');
  const start = performance.now();
  const printRow = async (done: number) => {
    const m = await workerMemory(healthPort);
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `${String(done).padStart(7)} ${seconds.toFixed(0).padStart(7)}s ${(done / Math.max(seconds, 1e-3)).toFixed(1).padStart(7)} ` +
        `${mb(m.rss)} ${mb(m.heapUsed).padStart(11)} ${mb(m.wasmHeap).padStart(13)} ${String(m.tensors).padStart(8)}`,
    );
  };
  await printRow(0);
  let submitted = 0;
  let done = 0;
  let nextRow = every;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (submitted < jobs) {
        const photo = photos[submitted++ % photos.length]!;
        const result = await translate.wait(await translate.submit(photo, { platform: 'cli', style }));
        await translate.takeOutput(result);
        if (++done >= nextRow) {
          nextRow += every;
          await printRow(done);
        }
      }
    }),
  );
} finally {
  await events.close();
  await queue.close();
  client.disconnect();
  await worker.stop();
  await redis.stop();
  await rm(workDir, { recursive: true, force: true });
}

/** The worker's memory, from its Prometheus metrics. */
async function workerMemory(port: number): Promise<{ rss: number; heapUsed: number; wasmHeap: number; tensors: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: value('animebot_worker_process_resident_memory_bytes'),
    heapUsed: value('animebot_worker_nodejs_heap_size_used_bytes'),
    wasmHeap: value('animebot_tf_wasm_heap_bytes'),
    tensors: value('animebot_tf_tensors'),
  };
}

function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0).padStart(8);
}
