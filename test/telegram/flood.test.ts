import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { UserError } from '../../shared/errors.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { sleep } from '../helpers/wait-for.js';
import { makePhoto } from '../helpers/images.js';
import type { StoredMessage, TelegramUser } from './bot-api-stand-in.js';
import { startTelegramHarness, type TelegramHarness } from './telegram-harness.js';

const flooder: TelegramUser = { id: 7001, first_name: 'Flo' };
const bob: TelegramUser = { id: 7002, first_name: 'Bob' };
const floodPhotos = 100;
const floodSeconds = 10;
const limits = { USER_RATE_LIMIT: '10', USER_RATE_WINDOW_S: '60', USER_MAX_PENDING: '3', QUEUE_CAP: '5' };

describe('a flood (issue 13, part 4): one user sends 100 photos in 10 s through the Telegram stand-in', () => {
  let h: TelegramHarness;
  let translate: Queue;

  before(async () => {
    h = await startTelegramHarness(limits);
    translate = new Queue(queueNames.translate, { connection: redisOptions(h.redis.url), prefix: h.config.QUEUE_PREFIX });
    await h.startWorker();
    await h.startBot();
  });

  after(async () => {
    await translate.close();
    await h.close();
  });

  const repliesTo = (m: StoredMessage) => h.standIn.chatMessages(m.json.chat.id, { fromBot: true }).filter((r) => r.replyTo === m.json.message_id);
  const resultOf = (m: StoredMessage) => repliesTo(m).find((r) => r.upload !== undefined);
  /** The rate limit's message up to its retry time ("You can send 10 images every 60 s. Please wait"). */
  const rateLimitedStart = UserError.rateLimited(10, 60, 1).message.replace(/ \d+ s and try again\.$/, '');
  const tooManyPending = UserError.tooManyPending(3).message;
  const isRefusal = (text: string | undefined) => text !== undefined && (text.startsWith(rateLimitedStart) || text === tooManyPending);
  const refusalOf = (m: StoredMessage) => repliesTo(m).find((r) => r.upload === undefined && isRefusal(r.texts[0]));

  it('the flooder is limited and told so, the queue never holds more than QUEUE_CAP, and another user is still served', async () => {
    const photo = await makePhoto(64, 48);
    const send = (user: TelegramUser) => h.standIn.sendPhoto(user, [{ bytes: photo, width: 64, height: 48 }]);
    let mostWaiting = 0;
    let sampling = true;
    const sampler = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the test sets it to false once the flood is answered
      while (sampling) {
        mostWaiting = Math.max(mostWaiting, await translate.getWaitingCount());
        await sleep(20);
      }
    })();

    const flood: StoredMessage[] = [];
    let bobsPhoto: StoredMessage | undefined;
    const started = Date.now();
    for (let i = 0; i < floodPhotos; i++) {
      flood.push(send(flooder));
      if (i === floodPhotos / 2) bobsPhoto = send(bob);
      await sleep(Math.max(0, started + ((i + 1) * floodSeconds * 1000) / floodPhotos - Date.now()));
    }

    // Every photo of the flood gets its answer: the styled photo, or why not.
    await h.standIn.waitFor('an answer to every photo of the flood', () => flood.every((m) => resultOf(m) ?? refusalOf(m)), 30_000);
    sampling = false;
    await sampler;
    const served = flood.filter((m) => resultOf(m));
    const refused = flood.filter((m) => !resultOf(m));
    console.log(`flood: ${served.length} served, ${refused.length} refused; at most ${mostWaiting} waiting (cap ${limits.QUEUE_CAP})`);
    const refusalTexts = new Set(refused.map((m) => refusalOf(m)?.texts[0]));
    assert.ok(served.length >= 1 && served.length <= 10, `${served.length} served: at most USER_RATE_LIMIT (10) per window`);
    assert.equal(served.length + refused.length, floodPhotos);
    assert.ok(
      [...refusalTexts].every((t) => t !== undefined),
      'every refused photo was told why',
    );
    assert.ok(
      [...refusalTexts].some((t) => t?.startsWith(rateLimitedStart)),
      `the rate limit is named: ${JSON.stringify([...refusalTexts])}`,
    );
    assert.ok(
      refused.every((m) => repliesTo(m).length === 1),
      'one answer per refused photo',
    );
    assert.ok(mostWaiting <= Number(limits.QUEUE_CAP), `at most QUEUE_CAP jobs waited (saw ${mostWaiting})`);

    const bobsResult = await h.standIn.waitFor("Bob's result", () => resultOf(bobsPhoto!), 20_000);
    assert.ok(bobsResult.upload!.bytes.length > 0, 'Bob got his styled photo during the flood');
  });
});
