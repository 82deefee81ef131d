import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Bot } from 'grammy';
import { Registry } from 'prom-client';
import { startWebhookServer } from '../../bot/telegram/webhook-server.js';
import { startWebPlatform } from '../../bot/web/web-platform.js';
import { startHealthServer } from '../../shared/http/health-server.js';
import { PortInUseError } from '../../shared/http/port-in-use.js';
import { startBotBackend, type BotBackend } from '../helpers/bot-backend.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';

const run = promisify(execFile);

describe('a port the project opens that is already taken is a one-line error naming its setting', () => {
  let backend: BotBackend;
  let taken: http.Server;
  let port: number;

  before(async () => {
    backend = await startBotBackend();
    taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    port = (taken.address() as AddressInfo).port;
  });
  after(async () => {
    taken.close();
    await backend.close();
  });

  const inUse = (setting: string) => (err: unknown) => err instanceof PortInUseError && err.message === `port ${port} is already in use: set ${setting} to a free port`;

  it('WEB_PORT', async () => {
    const config = testConfig({ ...backend.env, WEB_PORT: String(port) });
    await assert.rejects(startWebPlatform({ config, logger: quietLogger(config), redisUrl: backend.redis.url, store: backend.store }), inUse('WEB_PORT'));
  });

  it('HEALTH_PORT', async () => {
    await assert.rejects(startHealthServer({ port, portSetting: 'HEALTH_PORT', registry: new Registry(), healthy: async () => ({ ok: true, details: {} }) }), inUse('HEALTH_PORT'));
  });

  it('TELEGRAM_WEBHOOK_PORT', async () => {
    await assert.rejects(startWebhookServer(new Bot('123:test-token'), { port, path: '/telegram' }), inUse('TELEGRAM_WEBHOOK_PORT'));
  });

  it('the bots’ process prints just that line and exits 2', async () => {
    const child = run(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { env: { ...process.env, ...backend.env, WEB_PORT: String(port) } });
    const failed = await child.then(
      () => assert.fail('the process should have failed'),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(failed.code, 2);
    assert.equal(failed.stderr, `port ${port} is already in use: set WEB_PORT to a free port\n`);
  });
});
