import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startWebPlatform, type RunningWebPlatform } from '../../bot/web/web-platform.js';
import type { Config } from '../../shared/config.js';
import { startBotBackend, type BotBackend } from '../helpers/bot-backend.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';

export const adminPassword = 'correct horse battery staple';

/** Debian's chromium, as .ci/run installs it. */
const chromiumPath = '/usr/bin/chromium';
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

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
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-chromium-'));
  const config = testConfig({ ...backend.env, WEB_PORT: '0', RUNS_DIR: runsDir, ADMIN_PASSWORD: adminPassword, ...overrides });
  const web = await startWebPlatform({ config, logger: quietLogger(config), redisUrl: backend.redis.url, store: backend.store });
  // A fresh profile each time: no cookies or cache from an earlier run.
  const browser = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless: true, args: chromiumFlags, viewport: { width: 1200, height: 900 } });
  return {
    backend,
    config,
    web,
    url: web.url,
    browser,
    runsDir,
    startWorker: () => backend.startWorker(config),
    async close() {
      await browser.close();
      await web.close();
      await backend.close();
      await Promise.all([rm(runsDir, { recursive: true, force: true }), rm(profileDir, { recursive: true, force: true })]);
    },
  };
}
