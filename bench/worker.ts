/**
 * `npm run bench:worker`: jobs through the real queue (local redis-server, BullMQ worker in
 * this process) at several image sizes, with dynamic batching on and off, under a number of
 * closed-loop clients (each submits its next job when its previous one finished). Prints per
 * row images/s, end-to-end p50/p95 latency, the model-only time (one image) and the
 * difference (queue + codec + batching overhead), and the backend.
 *
 * Options: --jobs N per row (default 10; at least one per client) --sizes 256,512
 * --clients 1,4,16 --batching on,off (on: WORKER_MAX_BATCH from the settings, off: 1)
 * --arch pix2pix --ngf 16
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { z } from 'zod';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { saveLayersModel } from '../shared/models/layers-model-io.js';
import { getArchitecture } from '../shared/nets/index.js';
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
  },
});
const positive = z.coerce.number().int().positive();
const positives = z.array(positive).nonempty();
const csv = (s: string) => s.split(',');
const jobs = positive.parse(values.jobs);
const sizes = positives.parse(csv(values.sizes));
const clientCounts = positives.parse(csv(values.clients));
const batchingModes = z.array(z.enum(['on', 'off'])).nonempty().parse(csv(values.batching));
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const logger = createLogger(config, 'bench');
const runtime = await initTf(config, logger);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-bench-'));
const redis = await startLocalRedis({ dir: path.join(workDir, 'redis') });
const store = new DirectoryModelStore(path.join(workDir, 'models'));

console.log(
  `bench:worker — ${values.arch} (ngf ${values.ngf}), ${jobs} jobs per row, backend ${runtime.description}, ` +
    `batching on = WORKER_MAX_BATCH ${config.WORKER_MAX_BATCH} waiting ${config.WORKER_BATCH_WAIT_MS} ms`,
);
const breakdown: string[] = [];
console.log('size  batching  clients  images/s  e2e p50   e2e p95   model p50  overhead p50');
try {
  for (const size of sizes) {
    const style = `bench-${size}`;
    const arch = getArchitecture(values.arch);
    const options = arch.options.parse({ imageSize: size, ngf: Number(values.ngf) });
    const nets = arch.build(options);
    const generator = nets.generators[arch.served]!;
    const meta = await saveLayersModel(store, generator, { style, architecture: arch.name, inputSize: size, options });
    await store.promote(style, meta.version);

    // Model only: the generator's predict on one image, after a warm-up run.
    const modelMs: number[] = [];
    const input = tf.randomUniform([1, size, size, 3], -1, 1);
    for (let i = 0; i <= Math.min(jobs, 5); i++) {
      const t = performance.now();
      const out = generator.predict(input) as tf.Tensor;
      await out.data();
      out.dispose();
      if (i > 0) modelMs.push(performance.now() - t);
    }
    input.dispose();
    for (const m of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) m.dispose();

    const photo = await sharp({ create: { width: size, height: size, channels: 3, background: '#7a9' } }).jpeg().toBuffer();
    const modelP50 = percentile(modelMs, 50);
    for (const batching of batchingModes) {
      const workerConfig = { ...config, DEFAULT_STYLE: style, WORKER_MAX_BATCH: batching === 'on' ? config.WORKER_MAX_BATCH : 1 };
      const worker = await startTranslateWorker({ config: workerConfig, logger, redisUrl: redis.url, store, healthPort: false });
      const client = createRedis(redis.url);
      const queue = translateQueue(redisOptions(redis.url), config);
      const events = translateQueueEvents(redisOptions(redis.url), config);
      await events.waitUntilReady();
      // Every waiting client listens on the queue and its events (EventEmitter warns past 10 per event).
      queue.setMaxListeners(Math.max(...clientCounts) + 10);
      events.setMaxListeners(Math.max(...clientCounts) + 10);
      const translate = new TranslateClient(client, queue, events, new RedisBlobStore(client, config.QUEUE_PREFIX, 600), 600);
      const runOne = async (stages: Timings[]) => {
        const t = performance.now();
        const id = await translate.submit(photo, { platform: 'cli', style, outputSize: size });
        const result = await translate.wait(id);
        await translate.takeOutput(result);
        stages.push(result.timings);
        return performance.now() - t;
      };
      await runOne([]); // loads and warms the model in the worker
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
              latencies.push(await runOne(stages));
            }
          }),
        );
        const imagesPerSecond = rowJobs / ((performance.now() - rowStart) / 1000);

        const p50 = percentile(latencies, 50);
        const stage = (k: keyof Timings) => fmt(percentile(stages.map((s) => s[k]), 50));
        const row = `${String(size).padEnd(5)} ${batching.padEnd(9)} ${String(clients).padStart(7)} `;
        breakdown.push(`${row} ${stage('queueWaitMs')} ${stage('decodeMs')} ${stage('inferenceMs')} ${stage('encodeMs')} ${stage('totalMs')}`);
        console.log(`${row} ${imagesPerSecond.toFixed(2).padStart(8)}  ${fmt(p50)} ${fmt(percentile(latencies, 95))} ${fmt(modelP50)}  ${fmt(p50 - modelP50)}`);
      }
      await worker.close();
      await events.close();
      await queue.close();
      client.disconnect();
    }
  }
  console.log('\nworker stages, p50 (inference = letterbox + wait for batch mates + model + crop/resize):');
  console.log('size  batching  clients  queue wait  decode     inference  encode     worker total');
  for (const line of breakdown) console.log(line);
} finally {
  await redis.stop();
  await rm(workDir, { recursive: true, force: true });
}

function fmt(ms: number): string {
  return `${ms.toFixed(1).padStart(7)} ms`;
}
