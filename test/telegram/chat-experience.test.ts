import assert from 'node:assert/strict';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { UserError } from '../../shared/errors.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { animatedGif, makePhoto } from '../helpers/images.js';
import type { StoredMessage, TelegramUser } from './bot-api-stand-in.js';
import { adminUser, alice, startTelegramHarness, type TelegramHarness } from './telegram-harness.js';

const allJobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
const users: TelegramUser[] = [1, 2, 3, 4].map((n) => ({ id: 6000 + n, first_name: `User ${n}` }));

/** The position a status text shows ("Queued — position 2 (…)"). */
function positionIn(text: string | undefined): number | undefined {
  const match = /^Queued — position (\d+)/.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Consecutive repeats dropped: [3, 3, 2, 1, 1] → [3, 2, 1]. */
function changes(values: readonly (number | undefined)[]): (number | undefined)[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1]);
}

describe('Telegram chat experience (issue 16): captions, fallbacks, queue positions and cap, hints, one message per request', () => {
  let h: TelegramHarness;
  let translate: Queue;

  before(async () => {
    // No worker at first: the queue tests need requests that wait.
    h = await startTelegramHarness({ USER_RATE_LIMIT: '100' });
    translate = new Queue(queueNames.translate, { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX });
  });

  after(async () => {
    await translate.close();
    await h.close();
  });

  function answersTo(message: StoredMessage) {
    const replies = h.standIn.chatMessages(message.json.chat.id, { fromBot: true }).filter((m) => m.replyTo === message.json.message_id);
    return { status: replies.find((m) => m.upload === undefined), result: replies.find((m) => m.upload !== undefined), all: replies };
  }
  const statusOf = (m: StoredMessage) => h.standIn.waitFor(`the status of message ${m.json.message_id}`, () => answersTo(m).status);
  const resultOf = (m: StoredMessage) => h.standIn.waitFor(`the result of message ${m.json.message_id}`, () => answersTo(m).result);
  const photoOf = async (user: TelegramUser, caption?: string) => h.standIn.sendPhoto(user, [{ bytes: await makePhoto(64, 48), width: 64, height: 48 }], caption);

  it('the queue cap is atomic: with QUEUE_CAP=1, exactly one of four simultaneous requests is queued, three are told the bot is busy', async () => {
    await h.startBot({ QUEUE_CAP: '1' });
    try {
      const photos = await Promise.all(users.map(() => makePhoto(64, 48)));
      const sent = users.map((user, i) => h.standIn.sendPhoto(user, [{ bytes: photos[i]!, width: 64, height: 48 }]));
      const answers = await Promise.all(sent.map(async (m) => (await statusOf(m)).texts[0]!));
      assert.equal(answers.filter((a) => a.startsWith('Queued — position 1')).length, 1, `answers: ${JSON.stringify(answers)}`);
      assert.equal(answers.filter((a) => a === UserError.queueBusy().message).length, 3, `answers: ${JSON.stringify(answers)}`);
      await h.standIn.waitFor('the queued job', async () => (await translate.getWaitingCount()) === 1);
      assert.equal(await translate.getJobCountByTypes(...allJobStates), 1, 'one job in all');
    } finally {
      await h.stopBot();
      await translate.drain();
    }
  });

  it('three simultaneous requests get positions 1, 2 and 3, and each status message counts down as the jobs ahead of it start', async () => {
    await h.startBot();
    // Plays a worker that takes the next job and holds it: the job leaves the wait list as it starts.
    const taker = new Worker(queueNames.translate, null, { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX, autorun: false });
    try {
      const sent = await Promise.all(users.slice(0, 3).map((user) => photoOf(user)));
      const statuses = await Promise.all(sent.map(statusOf));
      assert.deepEqual(statuses.map((s) => positionIn(s.texts[0])).sort(), [1, 2, 3], 'distinct positions from the first message on');
      const settled = () => statuses.map((s) => positionIn(s.text));
      await h.standIn.waitFor('the positions to settle on 1, 2, 3', async () => {
        const shown = settled();
        const inQueue = await Promise.all(sent.map((m) => translate.getJob(`tg-${m.json.chat.id}-${m.json.message_id}`).then((j) => j?.id)));
        const wait = (await translate.getWaiting()).map((j) => j.id);
        return [...shown].sort().join() === '1,2,3' && inQueue.every((id, i) => wait.indexOf(id) + 1 === shown[i]);
      });
      const [first, second, third] = [...statuses].sort((a, b) => positionIn(a.text)! - positionIn(b.text)!);
      const textsBefore = third!.texts.length;
      await taker.getNextJob('taker-1', { block: false });
      await h.standIn.waitFor('the others to move up', () => positionIn(second!.text) === 1 && positionIn(third!.text) === 2);
      await taker.getNextJob('taker-2', { block: false });
      await h.standIn.waitFor('the last to move up', () => positionIn(third!.text) === 1);
      assert.deepEqual(changes(third!.texts.slice(textsBefore - 1).map(positionIn)), [3, 2, 1], `the third's texts: ${JSON.stringify(third!.texts)}`);
      assert.equal(positionIn(first!.text), 1, 'the first, now running, was not told a new position');
    } finally {
      await taker.close();
      await h.stopBot();
      await translate.obliterate({ force: true });
    }
  });

  it('captions: style keys and display names anywhere, any case; a caption without a style word is just a caption', async () => {
    await h.startWorker();
    await h.startBot();
    const cases = [
      { caption: 'Make it toon please', label: 'Cartoon' },
      { caption: 'CARTOON!', label: 'Cartoon' },
      { caption: '/toon', label: 'Cartoon' },
      { caption: 'as a pencil sketch', label: 'Pencil sketch' },
      { caption: 'my holiday in Rome', label: 'Pencil sketch' },
    ];
    for (const { caption, label } of cases) {
      const sent = await photoOf(alice, caption);
      const result = await resultOf(sent);
      assert.equal(result.caption, label, `caption "${caption}"`);
      assert.ok(!answersTo(sent).status?.texts.some((t) => t.startsWith('Failed') || t.startsWith('There is no style')), `"${caption}" was not refused`);
    }
  });

  it('a style without a model: the queued message and the result name what was asked for and what it is instead', async () => {
    const sent = await photoOf(alice, 'anime please');
    const result = await resultOf(sent);
    const note = 'Anime has no model yet, so you get Pencil sketch instead.';
    assert.match(answersTo(sent).status!.texts[0]!, new RegExp(`^Queued — position \\d+ .*\\n${note}$`));
    assert.equal(result.caption, `Pencil sketch — ${note}`);
  });

  it('one message per request: the status message gives way to the result', async () => {
    const sent = await photoOf(alice);
    const result = await resultOf(sent);
    const { status } = answersTo(sent);
    await h.standIn.waitFor('the status message to go', () => status?.deleted);
    assert.deepEqual(
      answersTo(sent).all.filter((m) => !m.deleted),
      [result],
    );
    assert.deepEqual(
      result.buttons.map((b) => b.text),
      ['Cartoon'],
      'no "retry" under a result: the models have no randomness',
    );
  });

  it('a double tap on "other style" makes one job', async () => {
    const result = await resultOf(await photoOf(alice));
    const jobsBefore = await translate.getJobCountByTypes(...allJobStates);
    const cartoon = result.buttons.find((b) => b.text === 'Cartoon')!;
    const first = h.standIn.pressButton(alice, result, cartoon.data);
    const second = h.standIn.pressButton(alice, result, cartoon.data);
    const answers = await h.standIn.waitFor('both presses answered', () => {
      const texts = [first, second].map((id) => h.standIn.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === id)?.params.text);
      return texts.every((t) => t !== undefined) && texts;
    });
    assert.deepEqual([...answers].sort(), ['Already on its way', 'Queued']);
    await h.standIn.waitFor('the new job', async () => (await translate.getJobCountByTypes(...allJobStates)) > jobsBefore);
    assert.equal(await translate.getJobCountByTypes(...allJobStates), jobsBefore + 1, 'one new job');
  });

  it('a GIF is styled from its first frame, whether Telegram made it an MP4 animation or kept the GIF file', async () => {
    const firstFrame = await makePhoto(48, 48);
    const animation = h.standIn.sendAnimation(alice, Buffer.from('not really an mp4'), { bytes: firstFrame, width: 48, height: 48 });
    assert.equal((await resultOf(animation)).caption, 'Pencil sketch');
    assert.equal(h.standIn.fileTouched((animation.json.animation as { file_id: string }).file_id), false, 'the MP4 itself was not downloaded');
    const gifFile = h.standIn.sendDocument(alice, await animatedGif(), { fileName: 'dance.gif', mimeType: 'image/gif' });
    assert.equal((await resultOf(gifFile)).upload?.kind, 'document', 'a file comes back as a file');
  });

  it('admin texts name no internals: an unknown version is named in words', async () => {
    const promote = h.standIn.sendText(adminUser, '/promote sketch nope');
    const text = await h.standIn.waitFor('the answer', () => answersTo(promote).status?.text);
    assert.equal(text, 'sketch has no version "nope" (the model list shows its versions)');
  });

  it('with no models at all, a photo is told that no style is available, and one asking for a style is told what it asked for', async () => {
    await h.stopBot();
    const pointers = ['sketch', 'toon'].map((style) => path.join(h.store.root, style, 'current.json'));
    await Promise.all(pointers.map((p) => rename(p, `${p}.aside`)));
    try {
      await h.startBot();
      const plain = await photoOf(alice);
      assert.equal((await statusOf(plain)).text, UserError.noStyles().message);
      assert.equal(UserError.noStyles().message, 'No style is available yet: no trained model is installed. Please try again later.');
      const toon = await photoOf(alice, 'toon please');
      assert.equal((await statusOf(toon)).text, 'Cartoon has no trained model installed yet, and no other style is available either. Please try again later.');
    } finally {
      await h.stopBot();
      await Promise.all(pointers.map((p) => rename(`${p}.aside`, p)));
      await h.startBot();
    }
  });

  it('stickers, videos, voice messages and unknown commands get a one-line hint; /help promises the real output size', async () => {
    const hint = (m: StoredMessage) => h.standIn.waitFor(`the hint to ${m.json.message_id}`, () => answersTo(m).status?.text);
    assert.equal(await hint(h.standIn.sendMedia(alice, 'sticker')), 'Stickers are not photos I can style. Send a photo (or an image file).');
    for (const kind of ['video', 'voice'] as const) {
      assert.equal(await hint(h.standIn.sendMedia(alice, kind)), 'I style still images only. Send a photo (or an image file); /help shows what I can do.', kind);
    }
    assert.equal(await hint(h.standIn.sendText(alice, '/frobnicate now')), 'I have no command /frobnicate. /help lists what I can do.');
    for (const text of await Promise.all([h.standIn.sendMedia(alice, 'sticker'), h.standIn.sendText(alice, '/nope')].map(hint))) {
      assert.equal(text.split('\n').length, 1, 'one line');
    }
    const help = await hint(h.standIn.sendText(alice, '/help'));
    assert.match(help, new RegExp(`at most ${h.config.MAX_OUTPUT_SIDE} pixels on the longest side`));
    assert.doesNotMatch(help, /full resolution/, 'no promise the output cap breaks');
  });
});
