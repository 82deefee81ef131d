/// <reference lib="dom" />
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { startWebPlatform } from '../bot/web/web-platform.js';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';
import { startLocalRedis } from '../shared/process/local-redis.js';
import { SCHEMA_VERSION, queueNames, type TrainJob, type TrainResult } from '../shared/queue/contracts.js';
import { redisOptions } from '../shared/queue/redis.js';
import { launchChromium } from '../test/helpers/chromium.js';
import { startTranslateWorker } from '../worker/translate-worker.js';

/**
 * Screenshots of the web platform for the docs: the playground before and after styling a
 * photo with the installed models, and the admin dashboard with the shipped sketch run
 * (its report from docs/styles/sketch, replayed through the train queue as a finished run).
 * Runs its own Redis, worker and web platform; writes PNGs into the folder given (docs/web).
 *
 *   npm run docs:web-screenshots -- docs/web
 */
const outDir = process.argv[2] ?? 'docs/web';
const photo = 'docs/images/grace-hopper.jpg';
const shippedRun = 'docs/styles/sketch';

const scratch = await mkdtemp(path.join(os.tmpdir(), 'animebot-screenshots-'));
const redis = await startLocalRedis({ dir: path.join(scratch, 'redis') });
const password = randomBytes(12).toString('hex');
const config = loadConfig({ ...process.env, REDIS_URL: redis.url, WEB_PORT: '0', ADMIN_PASSWORD: password, RUNS_DIR: path.join(scratch, 'runs'), LOG_LEVEL: 'warn' });
const logger = createLogger(config, 'screenshots');
const step = (text: string) => console.log(`[screenshots] ${text}`);

step('starting the worker and the web platform');
const worker = await startTranslateWorker({ config, logger, redisUrl: redis.url, healthPort: false });
const web = await startWebPlatform({ config, logger, redisUrl: redis.url });
const chromium = await launchChromium();
try {
  await mkdir(outDir, { recursive: true });
  const page = await chromium.context.newPage();
  await page.setViewportSize({ width: 1200, height: 1100 });

  step('playground: choosing a photo');
  await page.goto(web.url);
  await page.waitForFunction(
    () => {
      const samples = [...document.querySelectorAll('.style-card img')] as HTMLImageElement[];
      return samples.length > 0 && samples.every((img) => img.complete && img.naturalWidth > 0);
    },
    undefined,
    { timeout: 300_000 },
  );
  await page.setInputFiles('#file-input', photo);
  await page.check('.style-card input[value="sketch"]');
  await page.screenshot({ path: path.join(outDir, 'playground-before.png'), fullPage: true });

  step('playground: styling it');
  await page.click('#submit');
  await page.locator('#result-image:not([hidden])').waitFor({ timeout: 300_000 });
  await page.waitForFunction(() => (document.getElementById('result-image') as HTMLImageElement).naturalWidth > 0);
  await page.screenshot({ path: path.join(outDir, 'playground-after.png'), fullPage: true });

  step('dashboard: a finished run');
  const runId = 'sketch-shipped';
  await mkdir(path.join(config.RUNS_DIR, runId), { recursive: true });
  for (const image of ['loss-curve.png', 'samples.png']) await copyFile(path.join(shippedRun, image), path.join(config.RUNS_DIR, runId, image));
  const metrics = JSON.parse(await readFile(path.join(shippedRun, 'metrics.json'), 'utf8')) as {
    version: string;
    candidate: Record<string, number>;
    current?: { metrics: Record<string, number> };
  };
  const connection = redisOptions(redis.url);
  const train = new Queue(queueNames.train, { connection, prefix: config.QUEUE_PREFIX });
  const job: TrainJob = { v: SCHEMA_VERSION, kind: 'train', style: 'sketch', options: {}, requestedBy: 'web:admin', enqueuedAt: Date.now() };
  await train.add('train', job, { jobId: 'train-sketch-shipped' });
  const replay = new Worker(
    queueNames.train,
    async (): Promise<TrainResult> => ({
      v: SCHEMA_VERSION,
      runId,
      style: 'sketch',
      version: metrics.version,
      promoted: true,
      metrics: metrics.candidate,
      currentMetrics: metrics.current?.metrics,
    }),
    { connection, prefix: config.QUEUE_PREFIX },
  );
  await page.goto(new URL('/admin', web.url).href);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.locator('.run[data-state=completed] .report-images img').first().waitFor({ timeout: 60_000 });
  await replay.close();
  await train.close();
  await page.waitForFunction(() => [...document.querySelectorAll('.report-images img')].every((img) => (img as HTMLImageElement).complete));
  await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });

  step('dashboard: bull-board');
  await page.goto(new URL('/admin/queues', web.url).href);
  await page.getByText('translate', { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(outDir, 'queues.png') });
  step(`wrote playground-before.png, playground-after.png, dashboard.png and queues.png to ${outDir}`);
} finally {
  await chromium.close();
  await web.close();
  await worker.close();
  await redis.stop();
  await rm(scratch, { recursive: true, force: true });
}
