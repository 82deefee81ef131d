import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import type { TranslateWorkerHandle } from '../../worker/translate-worker.js';
import { testWorker } from './pipeline.js';
import { startTestRedis } from './redis.js';
import { tinyModelStore } from './tiny-model.js';

/**
 * What every bot's end-to-end test runs against: a private Redis, tiny sketch and toon
 * models, a datasets folder, the settings that point at them, and a translate worker
 * started on demand.
 */
export interface BotBackend {
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  store: DirectoryModelStore;
  dataDir: string;
  env: Record<string, string>;
  /** Starts the worker, logging to `logger` (quiet by default). */
  startWorker(config: Config, logger?: Logger): Promise<void>;
  close(): Promise<void>;
}

export async function startBotBackend(): Promise<BotBackend> {
  await tf.setBackend('cpu');
  const redis = await startTestRedis();
  const { store } = await tinyModelStore(['sketch', 'toon'], 64);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-data-'));
  let worker: TranslateWorkerHandle | undefined;
  return {
    redis,
    store,
    dataDir,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      TF_BACKEND: 'cpu',
      DEFAULT_STYLE: 'sketch',
      REDIS_URL: redis.url,
      MODELS_DIR: store.root,
      DATA_DIR: dataDir,
      // The web platform, which every bot process also serves, on a free port.
      WEB_PORT: '0',
    },
    async startWorker(config, logger) {
      worker = await testWorker(redis.url, config, store, false, logger);
    },
    async close() {
      await worker?.close();
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(store.root, { recursive: true, force: true });
    },
  };
}
