/**
 * `npm run bench:worker`: jobs through the real queue (local redis-server, BullMQ worker in
 * this process) at several image sizes. Prints images/s, end-to-end p50/p95 latency, the
 * model-only time and the difference (queue + codec overhead), and the backend.
 *
 * Options: --jobs N (default 10) --sizes 256,512 --arch pix2pix --ngf 16
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
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
  },
});
const jobs = Number(values.jobs);
const sizes = values.sizes.split(',').map(Number);
const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const logger = createLogger(config, 'bench');
const runtime = await initTf(config, logger);
const workDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-bench-'));
const redis = await startLocalRedis({ dir: path.join(workDir, 'redis'), persistence: false });
const store = new DirectoryModelStore(path.join(workDir, 'models'));

console.log(`bench:worker — ${values.arch} (ngf ${values.ngf}), ${jobs} jobs per size, backend ${runtime.description}`);
const breakdown: string[] = [];
console.log('size  images/s  e2e p50   e2e p95   model p50  overhead p50');
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

    const worker = await startTranslateWorker({ config: { ...config, DEFAULT_STYLE: style }, logger, redisUrl: redis.url, store, healthPort: false });
    const client = createRedis(redis.url);
    const queue = translateQueue(redisOptions(redis.url), config);
    const events = translateQueueEvents(redisOptions(redis.url), config);
    await events.waitUntilReady();
    const translate = new TranslateClient(client, queue, events, new RedisBlobStore(client, config.QUEUE_PREFIX, 600), 600);
    const photo = await sharp({ create: { width: size, height: size, channels: 3, background: '#7a9' } }).jpeg().toBuffer();
    const stages: Timings[] = [];
    const runOne = async () => {
      const t = performance.now();
      const id = await translate.submit(photo, { platform: 'cli', style, outputSize: size });
      const result = await translate.wait(id);
      await translate.takeOutput(result);
      stages.push(result.timings);
      return performance.now() - t;
    };
    await runOne(); // loads and warms the model in the worker
    // Latency: one job at a time. Throughput: all jobs at once.
    const latencies: number[] = [];
    for (let i = 0; i < jobs; i++) latencies.push(await runOne());
    const burstStart = performance.now();
    await Promise.all(Array.from({ length: jobs }, runOne));
    const imagesPerSecond = jobs / ((performance.now() - burstStart) / 1000);

    const p50 = percentile(latencies, 50);
    const modelP50 = percentile(modelMs, 50);
    const stage = (k: keyof Timings) => fmt(percentile(stages.map((s) => s[k]), 50));
    breakdown.push(`${String(size).padEnd(5)} ${stage('queueWaitMs')} ${stage('decodeMs')} ${stage('inferenceMs')} ${stage('encodeMs')} ${stage('totalMs')}`);
    console.log(
      `${String(size).padEnd(5)} ${imagesPerSecond.toFixed(2).padStart(8)}  ${fmt(p50)} ${fmt(percentile(latencies, 95))} ${fmt(modelP50)}  ${fmt(p50 - modelP50)}`,
    );
    await worker.close();
    await events.close();
    await queue.close();
    client.disconnect();
  }
  console.log('\nworker stages, p50 (inference = letterbox + model + crop/resize):');
  console.log('size  queue wait  decode     inference  encode     worker total');
  for (const line of breakdown) console.log(line);
} finally {
  await redis.stop();
  await rm(workDir, { recursive: true, force: true });
}

function fmt(ms: number): string {
  return `${ms.toFixed(1).padStart(7)} ms`;
}
