/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Queue, Worker } from 'bullmq';
import type { Page } from 'playwright-core';
import { promotedText, rolledBackText } from '../../bot/core/messages.js';
import { startWebPlatform } from '../../bot/web/web-platform.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import { SCHEMA_VERSION, queueNames, trainJobSchema, type TrainResult } from '../../shared/queue/contracts.js';
import { createRedis, redisOptions } from '../../shared/queue/redis.js';
import { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import { renderLossCurve } from '../../trainer/reports/loss-curve.js';
import { renderSampleGrid } from '../../trainer/reports/sample-grid.js';
import { quietLogger } from '../helpers/pipeline.js';
import { buildTinyGenerator } from '../helpers/tiny-model.js';
import { waitFor } from '../helpers/wait-for.js';
import { adminPassword, startWebHarness, type WebHarness } from './web-harness.js';

describe('web admin dashboard in chromium', () => {
  let h: WebHarness;
  let page: Page;
  let candidate: string;
  let shipped: string;
  let stopHeartbeat: () => Promise<void>;
  let heartbeatRedis: ReturnType<typeof createRedis>;

  before(async () => {
    h = await startWebHarness();
    // The trainer's heartbeat (trainer/train-worker.ts beats the same way): the tests' BullMQ workers play the trainer.
    heartbeatRedis = createRedis(h.backend.redis.url);
    stopHeartbeat = await new TrainerHeartbeat(heartbeatRedis, h.config.QUEUE_PREFIX).start('test-trainer');
    page = await h.browser.newPage();
    shipped = (await h.backend.store.current('toon'))!;
    // A second, not yet promoted toon version: what the stand-in trainer's run produced.
    const model = buildTinyGenerator(64, 7);
    candidate = (await saveLayersModel(h.backend.store, model, { style: 'toon', architecture: 'test-tiny', inputSize: 64, metrics: { psnr: 21.5 } })).version;
    model.dispose();
    await tf.ready();
  });
  after(async () => {
    await stopHeartbeat();
    heartbeatRedis.disconnect();
    await h.close();
  });

  async function logIn(password: string): Promise<void> {
    await page.goto(new URL('/admin', h.url).href);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForLoadState();
  }

  it('is off, and says so, without ADMIN_PASSWORD', async () => {
    const off = await startWebPlatform({ config: { ...h.config, ADMIN_PASSWORD: undefined }, logger: quietLogger(h.config), redisUrl: h.backend.redis.url, store: h.backend.store });
    try {
      const response = await page.goto(new URL('/admin', off.url).href);
      assert.equal(response?.status(), 404);
      assert.equal(await page.locator('#admin-off').textContent(), 'The admin area is off. Set ADMIN_PASSWORD to turn it on.');
      assert.equal((await page.goto(new URL('/admin/queues', off.url).href))?.status(), 404, 'bull-board is not mounted');
    } finally {
      await off.close();
    }
  });

  it('refuses a wrong password, and without a session neither the dashboard nor bull-board is shown', async () => {
    await logIn('not the password');
    assert.equal(await page.locator('.error').textContent(), 'Wrong password.');
    assert.equal(await page.locator('#dashboard').count(), 0);
    await page.goto(new URL('/admin/queues', h.url).href);
    assert.equal(new URL(page.url()).pathname, '/admin', 'bull-board sends to the login');
    assert.equal(await page.locator('input[name=password]').count(), 1);
  });

  it('after login, Retrain queues a run whose progress shows live; the finished run shows its loss curve, samples and metrics; Promote and Roll back call the admin actions', async () => {
    await logIn(adminPassword);
    await page.locator('#dashboard').waitFor();
    await page.locator('#models td', { hasText: 'toon' }).first().waitFor();

    let finish!: () => void;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    // Plays the trainer's side (trainer/train-worker.ts): reports a step, writes the run's report images, returns the result.
    const trainer = new Worker(
      queueNames.train,
      async (job): Promise<TrainResult> => {
        const data = trainJobSchema.parse(job.data);
        const runId = `${data.style}-${job.id}`;
        await job.updateProgress({ phase: 'training', percent: 45, step: 50, totalSteps: 100, losses: { G: 1.2, D: 0.7 } });
        await finishing;
        const dir = path.join(h.runsDir, runId);
        await mkdir(dir, { recursive: true });
        const history = Array.from({ length: 20 }, (_, i) => ({ step: i * 5, losses: { G: 2 - i * 0.05, D: 0.7 + Math.sin(i) * 0.05 } }));
        await writeFile(path.join(dir, 'loss-curve.png'), await renderLossCurve(history, { title: `${data.style} — losses` }));
        const cell = Buffer.alloc(32 * 32 * 3, 128);
        await writeFile(path.join(dir, 'samples.png'), await renderSampleGrid([[cell, cell, cell]], ['input', 'candidate', 'target'], 32));
        return { v: SCHEMA_VERSION, runId, style: data.style, version: candidate, promoted: false, metrics: { psnr: 21.5, fid: 0.2 }, currentMetrics: { psnr: 22.0, fid: 0.17 } };
      },
      { connection: redisOptions(h.backend.redis.url), prefix: h.config.QUEUE_PREFIX },
    );
    try {
      await page.locator('#models tr', { hasText: 'toon' }).locator('button[data-action=retrain]').click();
      assert.match(
        await waitFor('the retrain answer', () =>
          page
            .locator('#action-result')
            .textContent()
            .then((t) => t || undefined),
        ),
        /^Training toon: queued\. \(job train-toon-[\w-]+\)$/,
      );
      const run = page.locator('.run', { hasText: 'train toon' });
      await run.locator('.run-state', { hasText: 'running 45 % (training, step 50/100)' }).waitFor();
      assert.equal(await run.locator('progress').getAttribute('value'), '45');
      finish();
      await run.locator('.report-images img').first().waitFor();
    } finally {
      finish();
      await trainer.close();
    }
    const run = page.locator('.run[data-state=completed]', { hasText: 'train toon' });
    const lossCurve = run.locator('img[alt=loss-curve]');
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await lossCurve.elementHandle());
    assert.equal(await lossCurve.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight].join('×')), '800×400', 'the trainer’s loss curve');
    assert.equal(await run.locator('img[alt=samples]').count(), 1);
    assert.deepEqual(await run.locator('table.metrics tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent))), [
      ['psnr', '21.5000', '22.0000'],
      ['fid', '0.2000', '0.1700'],
    ]);

    await run.locator('button[data-action=promote]').click();
    await page.locator('#action-result', { hasText: promotedText('toon', candidate) }).waitFor();
    assert.equal(await h.backend.store.current('toon'), candidate);
    await page.locator('#models tr', { hasText: 'toon' }).locator('button[data-action=rollback]').click();
    await page.locator('#action-result', { hasText: rolledBackText('toon', shipped) }).waitFor();
    assert.equal(await h.backend.store.current('toon'), shipped);
  });

  it('Cancel removes a run that has not started', async () => {
    await page.goto(new URL('/admin', h.url).href);
    await page.locator('#models tr', { hasText: 'sketch' }).locator('button[data-action=retrain]').click();
    const waiting = page.locator('.run[data-state=waiting]', { hasText: 'train sketch' });
    await waiting.waitFor();
    const jobId = await waiting.getAttribute('data-run-id');
    await waiting.locator('button[data-action=cancel]').click();
    await page.locator('#action-result', { hasText: `Removed ${jobId} (Training sketch); it had not started.` }).waitFor();
    await page.locator(`.run[data-run-id="${jobId}"]`).waitFor({ state: 'detached' });
  });

  it('bull-board shows the queues', async () => {
    await page.goto(new URL('/admin/queues', h.url).href);
    await page.getByText('translate', { exact: true }).first().waitFor({ timeout: 30_000 });
    assert.ok(await page.getByText('train', { exact: true }).count(), 'the train queue is listed');
  });

  it('a POST without the CSRF token is refused: cross-site (another origin’s form), and same-site with the session', async () => {
    // Another site (127.0.0.1 is not the same site as localhost) whose form posts to the dashboard's rollback action.
    const attacker = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<form id="f" method="post" action="${new URL('/admin/api/actions/rollback', h.url).href}"><input name="style" value="toon"></form><script>document.getElementById('f').submit()</script>`,
        );
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    try {
      const refused = page.waitForResponse((r) => r.url().endsWith('/admin/api/actions/rollback'));
      await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      assert.ok([401, 403].includes((await refused).status()), `refused with ${(await refused).status()}`);
    } finally {
      attacker.close();
    }
    assert.equal(await h.backend.store.current('toon'), shipped, 'nothing was rolled back');

    await page.goto(new URL('/admin', h.url).href);
    await page.locator('#dashboard').waitFor();
    const sameSite = await page.evaluate(async () => {
      const response = await fetch('/admin/api/actions/promote', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ style: 'toon', version: 'x' }) });
      return { status: response.status, body: (await response.json()) as { message: string } };
    });
    assert.equal(sameSite.status, 403);
    assert.match(sameSite.body.message, /reload the page/);
    // bull-board's UI cannot send the token: its state-changing requests must come from this origin (the browser's Origin header).
    const cookie = (await h.browser.cookies(new URL('/admin/queues', h.url).href)).map((c) => `${c.name}=${c.value}`).join('; ');
    const board = (action: string, origin: string) => fetch(new URL(`/admin/queues/api/queues/translate/${action}`, h.url), { method: 'PUT', headers: { cookie, origin } });
    const translate = new Queue(queueNames.translate, { connection: redisOptions(h.backend.redis.url), prefix: h.config.QUEUE_PREFIX });
    try {
      assert.equal((await board('pause', 'http://evil.example')).status, 403);
      assert.equal(await translate.isPaused(), false, 'the cross-origin pause changed nothing');
      const ownOrigin = new URL(h.url).origin;
      assert.equal((await board('pause', ownOrigin)).status, 200, 'bull-board works from its own page');
      assert.equal(await translate.isPaused(), true);
      assert.equal((await board('resume', ownOrigin)).status, 200);
    } finally {
      await translate.close();
    }
  });

  it('Log out ends the session; after 10 login attempts from one address, even the right password is refused for a while', async () => {
    await page.goto(new URL('/admin', h.url).href);
    await page.click('form[action="/admin/logout"] button');
    await page.locator('input[name=password]').waitFor();
    assert.equal((await page.goto(new URL('/admin/queues', h.url).href)) && new URL(page.url()).pathname, '/admin', 'bull-board needs a session again');
    const errors: string[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      await logIn('guess');
      errors.push((await page.locator('.error').textContent()) ?? '');
    }
    assert.ok(errors.includes('Wrong password.'));
    assert.equal(errors.at(-1), 'Too many login attempts from your address. Try again in a few minutes.');
    await logIn(adminPassword);
    assert.equal(await page.locator('.error').textContent(), 'Too many login attempts from your address. Try again in a few minutes.');
  });
});
