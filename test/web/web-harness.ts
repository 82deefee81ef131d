import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startWebPlatform, type RunningWebPlatform } from '../../bot/web/web-platform.js';
import type { Config } from '../../shared/config.js';
import { startBotBackend, type BotBackend } from '../helpers/bot-backend.js';
import { launchChromium } from '../helpers/chromium.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';

export const adminPassword = 'correct horse battery staple';

/** Everything a browser test of the web platform runs against: the bot backend, the web platform on a free port, and chromium. */
export interface WebHarness {
  backend: BotBackend;
  config: Config;
  web: RunningWebPlatform;
  /** The playground's address, e.g. http://localhost:41234/ */
  url: string;
  browser: BrowserContext;
  runsDir: string;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

/** `overrides` are settings on top of the harness's (which include ADMIN_PASSWORD). */
export async function startWebHarness(overrides: Record<string, string> = {}): Promise<WebHarness> {
  const backend = await startBotBackend();
  const runsDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-runs-'));
  const config = testConfig({ ...backend.env, WEB_PORT: '0', RUNS_DIR: runsDir, ADMIN_PASSWORD: adminPassword, ...overrides });
  const web = await startWebPlatform({ config, logger: quietLogger(config), redisUrl: backend.redis.url, store: backend.store });
  const chromium = await launchChromium();
  return {
    backend,
    config,
    web,
    url: web.url,
    browser: chromium.context,
    runsDir,
    startWorker: () => backend.startWorker(config),
    async close() {
      await chromium.close();
      await web.close();
      await backend.close();
      await rm(runsDir, { recursive: true, force: true });
    },
  };
}
