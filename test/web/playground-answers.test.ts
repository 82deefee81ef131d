import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../shared/errors.js';
import { textFile } from '../helpers/images.js';
import { startWebHarness, type WebHarness } from './web-harness.js';

// 1 MB as the platforms count it (MiB), as the messages say it.
const maxInputBytes = 1024 * 1024;

/** A visitor of the playground outside the browser: its cookies and the page's CSRF token. */
async function visit(url: string): Promise<(form: FormData) => Promise<{ status: number; body: { code?: string; message?: string; requestId?: string } }>> {
  const page = await fetch(url);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const csrf = /data-csrf="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(csrf, 'the page carries a CSRF token');
  return async (form) => {
    const response = await fetch(new URL('/api/requests', url), { method: 'POST', body: form, headers: { cookie, 'csrf-token': csrf } });
    return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
  };
}

function upload(bytes: Buffer, type: string, name: string, style?: string): FormData {
  const form = new FormData();
  if (style) form.append('style', style);
  form.append('image', new Blob([new Uint8Array(bytes)], { type }), name);
  return form;
}

describe('the playground answers bad input as the chat bots do', () => {
  let h: WebHarness;
  let photo: Buffer;

  before(async () => {
    // No worker: what is queued stays queued.
    h = await startWebHarness({ MAX_INPUT_BYTES: String(maxInputBytes), QUEUE_CAP: '1' });
    photo = await readFile('docs/images/grace-hopper.jpg');
  });
  after(async () => {
    await h.close();
  });

  it('not an image, an unknown style, too big (declared, and found while reading), then busy once the queue is full', async () => {
    const send = await visit(h.url);
    assert.deepEqual((await send(upload(textFile(), 'text/plain', 'notes.txt'))).body, { code: 'not_an_image', message: UserError.notAnImage().message });
    assert.deepEqual((await send(upload(photo, 'image/jpeg', 'me.jpg', 'watercolour'))).body, {
      code: 'unknown_style',
      message: UserError.unknownStyle('watercolour', ['sketch', 'toon']).message,
    });

    const farTooBig = await send(upload(Buffer.alloc(1.5 * 1024 * 1024, 1), 'image/jpeg', 'big.jpg'));
    assert.equal(farTooBig.status, 413);
    assert.match(farTooBig.body.message ?? '', /^The file is 1\.5 MB; the limit is 1 MB\. Send a smaller file\.$/);
    const justTooBig = await send(upload(Buffer.alloc(maxInputBytes + 100, 1), 'image/jpeg', 'big.jpg'));
    assert.deepEqual([justTooBig.status, justTooBig.body.code], [413, 'file_too_large']);
    assert.equal(justTooBig.body.message, UserError.fileTooLarge(maxInputBytes + 1, maxInputBytes).message);

    const queued = await send(upload(photo, 'image/jpeg', 'me.jpg'));
    assert.equal(queued.status, 200);
    assert.match(queued.body.requestId ?? '', /^web-/);
    assert.deepEqual((await send(upload(photo, 'image/jpeg', 'me.jpg'))).body, { code: 'queue_busy', message: UserError.queueBusy().message });
  });

  it('a request without the CSRF token is refused', async () => {
    const response = await fetch(new URL('/api/requests', h.url), { method: 'POST', body: upload(photo, 'image/jpeg', 'me.jpg') });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { message: string }).message, /reload the page and try again/);
  });
});
