import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createRedis } from '../../shared/queue/redis.js';
import { makePhoto } from '../helpers/images.js';
import type { StoredMessage, TelegramUser } from './bot-api-stand-in.js';
import { alice, startTelegramHarness, type TelegramHarness } from './telegram-harness.js';

const bob: TelegramUser = { id: 5002, first_name: 'Bob' };

/** Every key with its value as text (strings byte for byte as latin1, the other types as JSON). */
async function dumpRedis(redis: Redis): Promise<Map<string, string>> {
  const dump = new Map<string, string>();
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? ((await redis.getBuffer(key))?.toString('latin1') ?? '')
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'set'
            ? JSON.stringify(await redis.smembers(key))
            : type === 'list'
              ? JSON.stringify(await redis.lrange(key, 0, -1))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                : JSON.stringify(await redis.xrange(key, '-', '+'));
    dump.set(key, value);
  }
  return dump;
}

/** What marks a user's data: their Telegram id where the bot writes it (keys, job ids, targets) and their images' bytes. */
function traces(user: TelegramUser, images: readonly Buffer[]): string[] {
  const middle = (image: Buffer) => image.subarray(Math.floor(image.length / 2), Math.floor(image.length / 2) + 32).toString('latin1');
  return [`:user:${user.id}:`, `tg-${user.id}-`, `"chatId":${user.id}`, `"userId":"${user.id}"`, ...images.map(middle)];
}

function tracesIn(text: string, needles: readonly string[]): string[] {
  return needles.filter((needle) => text.includes(needle)).map((n) => (n.length > 40 || /[^\x20-\x7e]/.test(n) ? 'image bytes' : n));
}

/** Everything under `dir`, file by file, as latin1 text. */
async function filesUnder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(path.join(entry.parentPath, entry.name), (await readFile(path.join(entry.parentPath, entry.name))).toString('latin1'));
  }
  return files;
}

describe('/forget (issue 13, part 3): nothing of the user is left in Redis or on its disk', () => {
  let h: TelegramHarness;
  let redis: Redis;
  let dataDir: string;

  before(async () => {
    h = await startTelegramHarness();
    redis = createRedis(h.redis.url);
    // The persistence of npm start's local server (durableRedisArgs): AOF and RDB snapshots.
    await redis.config('SET', 'appendonly', 'yes');
    await redis.config('SET', 'save', '60 1');
    dataDir = (await redis.config('GET', 'dir'))[1]!;
    await h.startWorker();
    await h.startBot();
  });

  after(async () => {
    redis.disconnect();
    await h.close();
  });

  const replyTo = (m: StoredMessage, user: TelegramUser, withUpload: boolean) =>
    h.standIn.waitFor(`the answer to message ${m.json.message_id}`, () =>
      h.standIn.chatMessages(user.id, { fromBot: true }).find((r) => r.replyTo === m.json.message_id && (r.upload !== undefined) === withUpload),
    );
  const persistenceInfo = async () => {
    const info = await redis.info('persistence');
    const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1]);
    const busy = field('aof_rewrite_in_progress') + field('aof_rewrite_scheduled') + field('rdb_bgsave_in_progress') > 0;
    return { rewrites: field('aof_rewrites'), saves: field('rdb_saves'), busy };
  };
  /** Waits until Redis finished an AOF rewrite and an RDB save begun after `before`. */
  const rewrittenSince = async (before: { rewrites: number; saves: number }) => {
    for (;;) {
      const now = await persistenceInfo();
      if (!now.busy && now.rewrites > before.rewrites && now.saves > before.saves) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('after photos, an "other style" result, a document and a style setting, /forget erases them all, and only them', async () => {
    const photo = await makePhoto(80, 60);
    const document = await makePhoto(60, 80, 'png');
    const first = await replyTo(h.standIn.sendPhoto(alice, [{ bytes: photo, width: 80, height: 60 }]), alice, true);
    h.standIn.pressButton(alice, first, first.buttons.find((b) => b.text === 'Cartoon')!.data);
    await h.standIn.waitFor('the cartoon result', () => h.standIn.chatMessages(alice.id, { fromBot: true }).find((m) => m.upload && m !== first));
    await replyTo(h.standIn.sendDocument(alice, document, { fileName: 'me.png', mimeType: 'image/png' }), alice, true);
    await replyTo(h.standIn.sendText(alice, '/style toon'), alice, false);
    const bobsPhoto = await makePhoto(50, 40);
    await replyTo(h.standIn.sendPhoto(bob, [{ bytes: bobsPhoto, width: 50, height: 40 }]), bob, true);

    const results = h.standIn.chatMessages(alice.id, { fromBot: true }).flatMap((m) => (m.upload ? [m.upload.bytes] : []));
    assert.equal(results.length, 3);
    const alicesTraces = traces(alice, [photo, document, ...results]);
    await new Promise((r) => setTimeout(r, 1100)); // appendfsync everysec
    const diskBefore = [...(await filesUnder(dataDir)).values()].join('');
    assert.ok(tracesIn(diskBefore, alicesTraces).includes('image bytes'), 'before /forget, her photo is in the AOF (so the disk check can fail)');
    assert.ok(tracesIn([...(await dumpRedis(redis)).entries()].flat().join('\n'), alicesTraces).length > 0, 'and Redis holds her data');

    const persistenceBefore = await persistenceInfo();
    const answer = await replyTo(h.standIn.sendText(alice, '/forget'), alice, false);
    assert.match(answer.text!, /^Deleted your settings, 2 stored images/);

    await rewrittenSince(persistenceBefore);
    // The rate limit's counter is kept by design until its window ends (so /forget does not lift the limit).
    const rateKey = `${h.config.QUEUE_PREFIX}:bot:telegram:user:${alice.id}:rate`;
    const left = [...(await dumpRedis(redis)).entries()].filter(([key]) => key !== rateKey).flatMap(([key, value]) => tracesIn(`${key}\n${value}`, alicesTraces).map((t) => `${key}: ${t}`));
    assert.deepEqual(left, [], 'nothing of hers in Redis');
    const onDisk = [...(await filesUnder(dataDir)).entries()].flatMap(([file, text]) => tracesIn(text.replaceAll(rateKey, ''), alicesTraces).map((t) => `${path.basename(file)}: ${t}`));
    assert.deepEqual(onDisk, [], 'nothing of hers on disk');

    const bobs = [...(await dumpRedis(redis)).entries()].flat().join('\n');
    assert.ok(bobs.includes(`tg-${bob.id}-`), "Bob's requests are still there");
  });
});
