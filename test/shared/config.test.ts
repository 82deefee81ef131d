import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { redactSecrets } from '../../shared/logger.js';

it('defaults: local style, wasm-or-better backend, Telegram API root', () => {
  const config = loadConfig({});
  assert.equal(config.DEFAULT_STYLE, 'sketch');
  assert.equal(config.TF_BACKEND, 'auto');
  assert.equal(config.TELEGRAM_API_ROOT, 'https://api.telegram.org');
  assert.equal(config.DISCORD_API_BASE, 'https://discord.com/api');
  assert.deepEqual(config.TELEGRAM_ADMIN_IDS, []);
  assert.equal(config.REDIS_URL, undefined);
});

it('a bad setting fails at startup naming the variable and what it expects', () => {
  assert.throws(
    () => loadConfig({ REDIS_URL: 'not a url', WORKER_CONCURRENCY: '0', TELEGRAM_ADMIN_IDS: '12,abc' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message.includes('REDIS_URL') &&
      err.message.includes('WORKER_CONCURRENCY') &&
      /TELEGRAM_ADMIN_IDS: .*numeric user ids/.test(err.message) &&
      err.message.includes('"not a url"'),
  );
});

it('admin id lists are parsed; empty strings count as unset', () => {
  const config = loadConfig({ TELEGRAM_ADMIN_IDS: ' 1, 22 ,333', REDIS_URL: '' });
  assert.deepEqual(config.TELEGRAM_ADMIN_IDS, ['1', '22', '333']);
  assert.equal(config.REDIS_URL, undefined);
});

it('secrets never reach logs: token fields are redacted and Telegram file URLs scrubbed', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
  const logger = pino({ redact: { paths: ['token', '*.token', 'fileUrl'], censor: '[redacted]' } }, sink);
  logger.info({ token, fileUrl: `https://api.telegram.org/file/bot${token}/photos/1.jpg` }, redactSecrets(`GET https://api.telegram.org/file/bot${token}/x failed`));
  const text = lines.join('');
  assert.ok(!text.includes('AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'), text);
  assert.match(text, /bot\[redacted\]/);
});

it('webhook mode needs its secret: TELEGRAM_WEBHOOK_URL without TELEGRAM_WEBHOOK_SECRET fails at startup', () => {
  assert.throws(
    () => loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram' }),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL/);
      return true;
    },
  );
  assert.equal(loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram', TELEGRAM_WEBHOOK_SECRET: 's3cret' }).TELEGRAM_WEBHOOK_SECRET, 's3cret');
});
