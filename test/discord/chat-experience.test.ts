import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../shared/errors.js';
import { makePhoto, textFile } from '../helpers/images.js';
import { alice, adminUser, bob, startDiscordHarness, type DiscordHarness } from './discord-harness.js';
import type { DiscordUser, StoredInteraction, StoredMessage } from './discord-stand-in.js';

const ephemeral = 64;
const allJobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
const users: DiscordUser[] = [1, 2, 3, 4].map((n) => ({ id: `32000000000000000${n}`, username: `user${n}` }));

describe('Discord chat experience (issue 16): private refusals, public results, positions and cap, fallbacks, /help', () => {
  let h: DiscordHarness;

  before(async () => {
    h = await startDiscordHarness();
  });

  after(async () => {
    await h.close();
  });

  /** The last text of the interaction's private reply, once it has one. */
  const privateAnswer = (i: StoredInteraction) => h.standIn.waitFor(`the answer to ${i.id}`, () => (i.original?.contents.length ? i.original : undefined));
  const resultOf = (i: StoredInteraction) =>
    h.standIn.waitFor(`the result of ${i.id}`, () => {
      const reply = h.standIn.replyOf(i);
      return reply?.attachments.length ? reply : undefined;
    });
  const photo = async (user: DiscordUser, options: { style?: string } = {}) =>
    h.standIn.anime(user, { bytes: await makePhoto(64, 48), filename: 'p.jpg', contentType: 'image/jpeg', width: 64, height: 48 }, options);

  /** Asserts that only the user saw what the bot said: its reply is ephemeral and nothing was posted for the channel. */
  function assertPrivate(i: StoredInteraction, reply: StoredMessage): void {
    assert.equal(reply.flags & ephemeral, ephemeral, `"${reply.content}" is ephemeral (flag 64)`);
    assert.equal(i.followups.length, 0, `nothing public for "${reply.content}"`);
    const acknowledgement = i.callbacks[0]!;
    assert.ok(acknowledgement.type === 5 ? Number(acknowledgement.data?.flags) & ephemeral : acknowledgement.type === 4, 'acknowledged privately');
  }

  it('with QUEUE_CAP=1 exactly one of four simultaneous /anime requests is queued; the busy answers are ephemeral', async () => {
    await h.startBot({ QUEUE_CAP: '1' });
    try {
      const requests = await Promise.all(users.map((user) => photo(user)));
      const accepted: StoredInteraction[] = [];
      for (const request of requests) {
        await h.standIn.waitFor(`the answer to ${request.id}`, () => (h.standIn.replyOf(request)?.contents.length ?? 0) > 0);
        const reply = h.standIn.replyOf(request)!;
        if (reply.content.startsWith('Queued')) accepted.push(request);
        else {
          assert.equal(reply.content, UserError.queueBusy().message);
          assertPrivate(request, reply);
        }
      }
      assert.equal(accepted.length, 1, 'one request was queued');
      await h.standIn.waitFor('the queued request to be posted for the channel', () => accepted[0]!.original?.deleted);
      assert.equal(h.standIn.replyOf(accepted[0]!)!.flags & ephemeral, 0, 'the queued request is public');
      await h.standIn.waitFor('the queued job', async () => (await h.translate.getWaitingCount()) === 1);
      assert.equal(await h.translate.getJobCountByTypes(...allJobStates), 1, 'one job in all');
    } finally {
      await h.stopBot();
      await h.translate.obliterate({ force: true });
    }
  });

  it('three simultaneous requests show positions 1, 2 and 3', async () => {
    await h.startBot();
    try {
      const requests = await Promise.all(users.slice(0, 3).map((user) => photo(user)));
      const firstTexts = await Promise.all(requests.map((r) => h.standIn.waitFor(`the reply to ${r.id}`, () => h.standIn.replyOf(r)?.contents[0])));
      const positions = firstTexts.map((text) => Number(/^Queued — position (\d+)/.exec(text)?.[1]));
      assert.deepEqual(positions.sort(), [1, 2, 3]);
    } finally {
      await h.stopBot();
      await h.translate.obliterate({ force: true });
    }
  });

  it('every refusal is ephemeral: not an image, unknown style, another user’s button, a stale button, admin only; results stay public', async () => {
    await h.startWorker();
    await h.startBot();
    const notImage = h.standIn.anime(alice, { bytes: textFile(), filename: 'notes.txt', contentType: 'text/plain' });
    assert.equal((await privateAnswer(notImage)).content, UserError.notAnImage().message);
    assertPrivate(notImage, notImage.original!);

    const unknown = await photo(alice, { style: 'vaporwave' });
    assert.match((await privateAnswer(unknown)).content, /^There is no style called "vaporwave"/);
    assertPrivate(unknown, unknown.original!);

    const request = await photo(alice);
    const result = await resultOf(request);
    assert.equal(result.flags & ephemeral, 0, 'the result is public');
    const denied = h.standIn.pressButton(bob, result, result.buttons[0]!.customId);
    assert.equal((await privateAnswer(denied)).content, UserError.notYourRequest().message);
    assertPrivate(denied, denied.original!);

    const stale = h.standIn.pressButton(alice, { ...result, buttons: [{ label: 'Old', customId: 'something-old' }] }, 'something-old');
    assert.equal((await privateAnswer(stale)).content, 'This button no longer works.');
    assertPrivate(stale, stale.original!);

    const notAdmin = h.standIn.admin(alice, 'retrain', { style: 'toon' });
    assert.equal((await privateAnswer(notAdmin)).content, UserError.adminOnly().message);
    assertPrivate(notAdmin, notAdmin.original!);

    const unknownRetrain = h.standIn.admin(adminUser, 'retrain', { style: 'nope' });
    assert.match((await privateAnswer(unknownRetrain)).content, /^There is no style called "nope"/);
    assertPrivate(unknownRetrain, unknownRetrain.original!);
    const noTrainer = h.standIn.admin(adminUser, 'retrain', { style: 'toon' });
    assert.match((await privateAnswer(noTrainer)).content, /^No trainer is running, so nothing was queued/);
    assertPrivate(noTrainer, noTrainer.original!);
    assert.equal(await h.train.getJobCountByTypes(...allJobStates), 0, 'no run was queued');
  });

  it('the style option takes display names; a style without a model says what it asked for and what it gets', async () => {
    const byLabel = await resultOf(await photo(alice, { style: 'Cartoon' }));
    assert.match(byLabel.content, /^Done — Cartoon, 64×48/);
    const fallback = await photo(alice, { style: 'anime' });
    const result = await resultOf(fallback);
    const note = 'Anime has no model yet, so you get Pencil sketch instead.';
    assert.equal(result.contents[0], `${result.contents[0]!.split('\n')[0]}\n${note}`, 'the queued message says it');
    assert.match(result.content, new RegExp(`^Done — Pencil sketch, 64×48, [\\d.]+ s\\nPencil sketch — ${note}$`));
  });

  it('a double tap on "other style" makes one job', async () => {
    const result = await resultOf(await photo(alice));
    const jobsBefore = await h.translate.getJobCountByTypes(...allJobStates);
    const cartoon = result.buttons.find((b) => b.label === 'Cartoon')!;
    const taps = [h.standIn.pressButton(alice, result, cartoon.customId), h.standIn.pressButton(alice, result, cartoon.customId)];
    const answers = await Promise.all(taps.map((t) => h.standIn.waitFor(`the answer to ${t.id}`, () => h.standIn.replyOf(t)?.contents[0])));
    assert.equal(answers.filter((a) => a.startsWith('Queued')).length, 1, JSON.stringify(answers));
    const repeat = taps.find((t) => !h.standIn.replyOf(t)!.contents[0]!.startsWith('Queued'))!;
    assert.equal(repeat.original!.content, 'That is already on its way.');
    assertPrivate(repeat, repeat.original!);
    await h.standIn.waitFor('the new job', async () => (await h.translate.getJobCountByTypes(...allJobStates)) > jobsBefore);
    assert.equal(await h.translate.getJobCountByTypes(...allJobStates), jobsBefore + 1, 'one new job');
  });

  it('/help answers privately with what the bot really does', async () => {
    const help = h.standIn.slashCommand(alice, 'help', []);
    const answer = await privateAnswer(help);
    assert.equal(answer.flags & ephemeral, ephemeral);
    assert.match(answer.content, /^Use \/anime with an image/);
    assert.match(answer.content, new RegExp(`at most ${h.config.MAX_OUTPUT_SIDE} pixels on the longest side`));
    assert.match(answer.content, /\n\/styles — /);
    assert.doesNotMatch(answer.content, /\/start|Admin:/, 'no Telegram-only command, no admin commands for a user');
    const adminHelp = await privateAnswer(h.standIn.slashCommand(adminUser, 'help', []));
    assert.match(adminHelp.content, /\nAdmin:\n\/admin retrain — /);
  });
});
