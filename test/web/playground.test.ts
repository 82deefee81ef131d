/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { UserError } from '../../shared/errors.js';
import { sharp } from '../../shared/image/sharp.js';
import { saveLayersModel } from '../../shared/models/layers-model-io.js';
import { textFile } from '../helpers/images.js';
import { buildTinyGenerator, slowModel } from '../helpers/tiny-model.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

const photo = 'docs/images/grace-hopper.jpg';

describe('web playground in chromium', () => {
  let h: WebHarness;
  let page: Page;

  before(async () => {
    h = await startWebHarness();
    page = await h.browser.newPage();
  });
  after(async () => {
    await h.close();
  });

  it('an uploaded photo is shown queued (no worker yet), then running, then the result appears beside it with a download button', async () => {
    await page.goto(h.url);
    await page.locator('.style-card').first().waitFor();
    await page.setInputFiles('#file-input', photo);
    await page.check('.style-card input[value="toon"]');
    // Every state the status line shows, however briefly.
    await page.evaluate(() => {
      const status = document.getElementById('status')!;
      const seen: string[] = [];
      Object.assign(window, { seenStates: seen });
      new MutationObserver(() => {
        const state = status.dataset.state ?? '';
        if (seen.at(-1) !== state) seen.push(state);
      }).observe(status, { attributes: true, attributeFilter: ['data-state'] });
    });
    await page.click('#submit');
    // No worker runs yet: the request waits in the queue, and the page says so.
    await page.locator('#status[data-state="queued"]').waitFor();
    assert.match((await page.locator('#status').textContent()) ?? '', /^Queued — position \d+ \(waiting for a worker to start\)$/);
    // A toon model that takes seconds, so that "running" lasts long enough to be seen (a tiny
    // model can finish before its first progress report reaches the page, which then goes
    // from queued straight to done).
    const slow = buildTinyGenerator(slowModel.inputSize, 5, slowModel.hiddenFilters);
    const { version } = await saveLayersModel(h.backend.store, slow, { style: 'toon', architecture: 'test-tiny', inputSize: slowModel.inputSize });
    slow.dispose();
    await h.backend.store.promote('toon', version);
    await h.startWorker();
    await page.locator('#result-image:not([hidden])').waitFor({ timeout: 60_000 });
    assert.deepEqual(await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates), ['sending', 'queued', 'running', 'done']);
    const reached = await page.locator('#progress-steps li.reached').evaluateAll((items) => items.map((li) => li.getAttribute('data-step')));
    assert.deepEqual(reached, ['queued', 'running', 'done']);
    assert.match((await page.locator('#status').textContent()) ?? '', /^Done — Cartoon, \d+×\d+, [\d.]+ s$/);
    assert.equal(await page.locator('#result-caption').textContent(), 'Cartoon');
    assert.ok(await page.locator('#input-image').evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the input is shown');
    assert.ok(await page.locator('#result-image').evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the result is shown');

    const href = await page.locator('#download').getAttribute('href');
    const download = await page.request.get(new URL(href!, h.url).href);
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-disposition'] ?? '', /^attachment; filename="animebot-.+\.png"$/);
    const meta = await sharp(await download.body()).metadata();
    const source = await sharp(await readFile(photo)).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width / meta.height, source.width / source.height, 'the result keeps the photo’s proportions');
  });

  it('lists the installed styles, each with a sample image made by its model', async () => {
    await page.goto(h.url);
    const cards = page.locator('.style-card');
    await cards.first().waitFor();
    assert.deepEqual(await cards.locator('span').allTextContents(), ['Pencil sketch', 'Cartoon']);
    assert.equal(await page.locator('.style-card input:checked').inputValue(), 'sketch', 'the default style is chosen');
    const samples = page.locator('.style-card img');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.style-card img')].every((img) => img.complete && img.naturalWidth > 0), undefined, {
      timeout: 60_000,
    });
    assert.equal(await samples.count(), 2);
  });

  it('a text file gets the same "not an image" answer as in chat, and nothing is queued', async () => {
    await page.goto(h.url);
    await page.locator('.style-card').first().waitFor();
    await page.setInputFiles('#file-input', { name: 'notes.txt', mimeType: 'text/plain', buffer: textFile() });
    await page.click('#submit');
    await page.locator('#status[data-state="refused"]').waitFor();
    assert.equal(await page.locator('#status').textContent(), UserError.notAnImage().message);
    assert.equal(await page.locator('#progress-steps li.reached').count(), 0);
  });
});
