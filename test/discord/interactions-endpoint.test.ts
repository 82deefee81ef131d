import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { UserError } from '../../shared/errors.js';
import { decodeRgb, maxPixelDifference, modelOutput } from '../bot/model-output.js';
import { makePhoto, textFile } from '../helpers/images.js';
import { leakedImage } from '../helpers/log-leaks.js';
import { adminUser, alice, startDiscordHarness, type DiscordHarness } from './discord-harness.js';
import type { StoredInteraction, StoredMessage } from './discord-stand-in.js';

const ephemeral = 64;
const callbackTypes = { pong: 1, message: 4, deferred: 5, autocomplete: 8 } as const;
const allJobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;

describe('Discord HTTP interactions (DISCORD_PUBLIC_KEY): signed POSTs instead of the gateway, into the same handlers', () => {
  let h: DiscordHarness;
  const interactions: StoredInteraction[] = [];
  const inputs: Buffer[] = [];

  before(async () => {
    h = await startDiscordHarness({ interactions: 'http' });
    await h.startWorker();
    await h.startBot();
  });

  after(async () => {
    await h.close();
  });

  /** The interaction's reply once it carries an image. */
  const result = (interaction: StoredInteraction) =>
    h.standIn.waitFor(`the result of interaction ${interaction.id} (HTTP ${interaction.httpStatus ?? '…'} ${interaction.httpError ?? ''})`, () => {
      const reply = h.standIn.replyOf(interaction);
      return reply?.attachments.length ? reply : undefined;
    });
  /** The last text of the interaction's own reply, once it has one. */
  const answer = (interaction: StoredInteraction) =>
    h.standIn.waitFor(`the answer to ${interaction.id} (HTTP ${interaction.httpStatus ?? '…'} ${interaction.httpError ?? ''})`, () =>
      interaction.original?.contents.length ? interaction.original : undefined,
    );
  const track = (interaction: StoredInteraction) => {
    interactions.push(interaction);
    return interaction;
  };

  /** Asserts that the interaction was acknowledged in the response to its POST, with this callback type and privacy. */
  function assertHttpAcknowledged(interaction: StoredInteraction, type: number, isPrivate: boolean): void {
    assert.equal(interaction.httpStatus, 200);
    assert.deepEqual(
      interaction.callbacks.map((c) => [c.type, c.via]),
      [[type, 'http']],
    );
    const flags = Number(interaction.callbacks[0]!.data?.flags ?? 0);
    assert.equal(flags & ephemeral, isPrivate ? ephemeral : 0, isPrivate ? 'acknowledged privately' : 'acknowledged publicly');
  }

  async function assertModelOutput(message: StoredMessage, style: string, input: Buffer): Promise<void> {
    const expected = await modelOutput(h.store, style, input, h.config);
    const delivered = await decodeRgb(message.attachments[0]!.bytes);
    assert.deepEqual([delivered.width, delivered.height], [expected.width, expected.height]);
    assert.ok(maxPixelDifference(delivered, expected) <= 1, `pixels equal the ${style} model output`);
  }

  it('does not connect to the gateway; Discord’s signed PING (its check of the endpoint URL) gets PONG', async () => {
    assert.equal(h.standIn.gateway.sessions.length, 0, 'no gateway connection');
    assert.ok(
      h.standIn.calls.some((c) => c.method === 'GET' && c.route === '/applications/@me' && c.authorized),
      'the token was checked at start',
    );
    assert.deepEqual(await h.standIn.ping(), { status: 200, body: { type: callbackTypes.pong } });
  });

  it('a request without a valid, recent signature gets 401 and reaches no handler: unsigned, another key, another body, a stale timestamp', async () => {
    const token = 'aW50ZXJhY3Rpb24.forged-request-token';
    const help = JSON.stringify({
      id: '1300000000000000001',
      application_id: h.standIn.applicationId,
      type: 2,
      data: { id: '1300000000000000002', name: 'help', type: 1 },
      channel_id: h.standIn.channelId,
      user: { id: alice.id, username: alice.username, discriminator: '0', global_name: alice.username, avatar: null },
      token,
      version: 1,
      app_permissions: '2048',
      locale: 'en-US',
      entitlements: [],
    });
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const refused = {
      unsigned: await h.standIn.postToEndpoint(help, { unsigned: true }),
      'another key': await h.standIn.postToEndpoint(help, { key: stranger }),
      'another body': await h.standIn.postToEndpoint(help, { signedBody: help.replace('"help"', '"forget"') }),
      'a stale timestamp': await h.standIn.postToEndpoint(help, { timestampS: Math.floor(Date.now() / 1000) - 600 }),
      'a PING with another key': await h.standIn.postToEndpoint(JSON.stringify({ id: '1300000000000000003', application_id: h.standIn.applicationId, type: 1, token: 'x', version: 1 }), {
        key: stranger,
      }),
    };
    for (const [name, response] of Object.entries(refused)) assert.equal(response.status, 401, name);
    assert.equal(h.standIn.calls.filter((c) => c.route.includes(token)).length, 0, 'the bot did nothing with the interaction');
    // The same command, signed by the application's key, is answered: the signature alone made the difference.
    const signed = track(h.standIn.slashCommand(alice, 'help', []));
    assert.match((await answer(signed)).content, /\/anime/);
    assertHttpAcknowledged(signed, callbackTypes.deferred, true);
  });

  let firstResult: StoredMessage;

  it('/anime with an attachment: the POST is answered with a private deferred response; the request is posted for the channel and its styled picture follows through the webhook', async () => {
    const { standIn } = h;
    const input = await makePhoto(96, 64);
    inputs.push(input);
    const interaction = track(standIn.anime(alice, { bytes: input, filename: 'cat.jpg', contentType: 'image/jpeg', width: 96, height: 64 }));
    const reply = await result(interaction);
    firstResult = reply;

    assertHttpAcknowledged(interaction, callbackTypes.deferred, true);
    assert.equal(standIn.calls.filter((c) => c.route.endsWith('/callback')).length, 0, 'no callback went through the REST API');
    assert.equal(interaction.original?.deleted, true, 'the private reply gave way');
    assert.equal(reply.flags & ephemeral, 0, 'everyone in the channel sees the accepted request and its result');
    assert.match(reply.contents[0]!, /^Queued — position 1 \(about \d+ s\)$/);
    assert.match(reply.content, /^Done — Pencil sketch, 96×64, [\d.]+ s$/);
    const webhook = standIn.webhookCalls(interaction);
    assert.ok(
      webhook.some((c) => c.method === 'POST' && !c.authorized),
      'the public follow-up, with the interaction token alone',
    );
    assert.equal(webhook.filter((c) => c.method === 'PATCH' && c.route.endsWith(`/messages/${reply.id}`) && c.files.length).length, 1, 'one edit carries the image');
    await assertModelOutput(reply, 'sketch', input);
    assert.deepEqual(
      reply.buttons.map((b) => b.label),
      ['Cartoon'],
    );
  });

  it('a refusal is ephemeral: a text file sent with /anime is "not an image" for the user alone; nothing is downloaded or enqueued', async () => {
    const { standIn } = h;
    const jobsBefore = await h.translate.getJobCountByTypes(...allJobStates);
    const downloadsBefore = standIn.downloads.length;
    const refused = track(standIn.anime(alice, { bytes: textFile(), filename: 'notes.txt', contentType: 'text/plain; charset=utf-8' }));
    const reply = await answer(refused);
    assert.equal(reply.content, UserError.notAnImage().message);
    assert.equal(reply.flags & ephemeral, ephemeral, 'only the user sees the refusal');
    assert.equal(refused.followups.length, 0, 'nothing public');
    assertHttpAcknowledged(refused, callbackTypes.deferred, true);
    assert.equal(standIn.downloads.length, downloadsBefore, 'nothing was downloaded');
    assert.equal(await h.translate.getJobCountByTypes(...allJobStates), jobsBefore, 'nothing was enqueued');
  });

  it('the result’s style button, "Animeify" on a message, autocomplete and /admin take the same path: the first response in the POST’s response, the rest by webhook', async () => {
    const { standIn } = h;
    const cartoon = firstResult.buttons.find((b) => b.label === 'Cartoon')!;
    const press = track(standIn.pressButton(alice, firstResult, cartoon.customId));
    const restyled = await result(press);
    assertHttpAcknowledged(press, callbackTypes.deferred, true);
    assert.match(restyled.content, /^Done — Cartoon, 96×64/);
    await assertModelOutput(restyled, 'toon', inputs[0]!);

    const input = await makePhoto(80, 48, 'png');
    inputs.push(input);
    const posted = standIn.postMessage(alice, { text: 'my dog', attachments: [{ bytes: input, filename: 'dog.png', contentType: 'image/png', width: 80, height: 48 }] });
    const menu = track(standIn.messageCommand(alice, 'Animeify', posted));
    const styled = await result(menu);
    assertHttpAcknowledged(menu, callbackTypes.deferred, true);
    assert.match(styled.content, /^Done — Pencil sketch, 80×48/);
    await assertModelOutput(styled, 'sketch', input);

    const typing = track(standIn.autocomplete(alice, 'anime', { name: 'style', value: 'car' }));
    const choices = await standIn.waitFor('the choices', () => typing.callbacks[0]);
    assert.deepEqual([choices.type, choices.via, choices.data?.choices], [callbackTypes.autocomplete, 'http', [{ name: 'Cartoon', value: 'toon' }]]);

    // Refused before anything is deferred: the refusal itself is the POST's response, an ephemeral message.
    const outsider = track(standIn.admin(alice, 'queue'));
    assert.equal((await answer(outsider)).content, UserError.adminOnly().message);
    assertHttpAcknowledged(outsider, callbackTypes.message, true);
    const admin = track(standIn.admin(adminUser, 'queue'));
    const stats = await answer(admin);
    assert.match(stats.content, /^Translate queue: .+\nTrain queue: .+\nTranslate workers: 1/);
    assert.equal(stats.flags & ephemeral, ephemeral, 'only the admin sees it');
    assertHttpAcknowledged(admin, callbackTypes.deferred, true);
  });

  it('neither the bot token, an interaction token nor image bytes (base64 or hex) reach the logs of the bot and the worker', () => {
    const { logs, standIn } = h;
    assert.ok(
      logs.some((line) => line.includes('receiving interactions by HTTP')),
      'the bot logged',
    );
    assert.ok(
      logs.some((line) => line.includes('translate job done')),
      'the worker logged',
    );
    assert.ok(!logs.some((line) => line.includes(standIn.token.split('.').at(-1)!)), 'no log line holds the bot token');
    assert.ok(interactions.length >= 6);
    assert.equal(
      interactions.find((i) => logs.some((line) => line.includes(i.token.split('.').at(-1)!))),
      undefined,
      'no log line holds an interaction token',
    );
    const images = [...inputs, ...standIn.messagesIn(standIn.channelId, { fromBot: true }).flatMap((m) => m.attachments.map((a) => a.bytes))];
    assert.ok(images.length >= 5, 'the photos and the results');
    assert.equal(leakedImage(logs, images), undefined, 'no image appears in the logs');
  });
});
