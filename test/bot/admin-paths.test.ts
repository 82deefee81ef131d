import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { commandCatalogue } from '../../bot/core/command-catalogue.js';
import { startWebPlatform, type RunningWebPlatform } from '../../bot/web/web-platform.js';
import { UserError } from '../../shared/errors.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { alice as discordUser, startDiscordHarness, type DiscordHarness } from '../discord/discord-harness.js';
import { makePhoto } from '../helpers/images.js';
import { quietLogger, testConfig } from '../helpers/pipeline.js';
import { alice as telegramUser, startTelegramHarness, type TelegramHarness } from '../telegram/telegram-harness.js';

const allJobStates = ['waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized', 'waiting-children'] as const;
/** Discord's EPHEMERAL message flag. */
const ephemeralFlag = 64;
const adminCommands = commandCatalogue.filter((c) => c.adminOnly).map((c) => c.name);
/** Arguments that would make each admin command do something, were its sender an admin. */
const argumentsOf: Record<string, Record<string, string>> = {
  retrain: { style: 'sketch', dataset: 'faces' },
  eval: { style: 'sketch' },
  promote: { style: 'sketch', version: 'v1' },
  rollback: { style: 'sketch' },
  cancelrun: { job: 'some-run' },
  curate: { dataset: 'faces', domain: 'A' },
};

/** What an admin command could have changed: the train and translate queues, the current models, the datasets. */
async function footprint(redisUrl: string, prefix: string, store: TelegramHarness['store'], dataDir: string) {
  const connection = redisOptions(redisUrl);
  const [train, translate] = [queueNames.train, queueNames.translate].map((name) => new Queue(name, { connection, prefix }));
  try {
    const current = await Promise.all((await store.styles()).map(async (style) => `${style}=${await store.current(style)}`));
    return {
      trainJobs: await train!.getJobCountByTypes(...allJobStates),
      translateJobs: await translate!.getJobCountByTypes(...allJobStates),
      current,
      data: (await readdir(dataDir, { recursive: true })).sort(),
    };
  } finally {
    await Promise.all([train!.close(), translate!.close()]);
  }
}

describe('every admin path refuses a non-admin, and nothing is enqueued or changed (issue 13, part 3)', () => {
  let telegram: TelegramHarness;
  let discord: DiscordHarness;
  let web: RunningWebPlatform;

  before(async () => {
    telegram = await startTelegramHarness();
    await telegram.startBot();
    discord = await startDiscordHarness();
    await discord.startBot();
    const webConfig = testConfig({ ...telegram.env, WEB_PORT: '0', ADMIN_PASSWORD: 'the right password' });
    web = await startWebPlatform({ config: webConfig, logger: quietLogger(webConfig), redisUrl: telegram.redis.url, store: telegram.store });
  });

  after(async () => {
    await web.close();
    await discord.close();
    await telegram.close();
  });

  it('Telegram: each admin command, with and without arguments, gets the admin-only answer', async () => {
    const before = await footprint(telegram.redis.url, telegram.config.QUEUE_PREFIX, telegram.store, telegram.config.DATA_DIR);
    const photo = telegram.standIn.sendPhoto(telegramUser, [{ bytes: await makePhoto(32, 24), width: 32, height: 24 }], 'no style here');
    for (const command of adminCommands) {
      for (const args of [Object.values(argumentsOf[command] ?? {}).join(' '), '']) {
        const sent = telegram.standIn.sendText(telegramUser, `/${command} ${args}`.trim(), command === 'curate' ? { replyTo: photo } : {});
        const answer = await telegram.standIn.waitFor(`the answer to /${command} ${args}`, () =>
          telegram.standIn.chatMessages(telegramUser.id, { fromBot: true }).find((m) => m.replyTo === sent.json.message_id),
        );
        assert.equal(answer.text, UserError.adminOnly().message, `/${command} ${args}`);
      }
    }
    // The photo that /curate replies to is a request of its own (no worker runs: it waits).
    const after = await footprint(telegram.redis.url, telegram.config.QUEUE_PREFIX, telegram.store, telegram.config.DATA_DIR);
    assert.deepEqual(after, { ...before, translateJobs: before.translateJobs + 1 }, 'only the photo itself was queued');
  });

  it('Discord: each /admin subcommand gets the admin-only answer, only to the user', async () => {
    const before = await footprint(discord.redis.url, discord.config.QUEUE_PREFIX, discord.store, discord.config.DATA_DIR);
    for (const command of adminCommands) {
      const interaction = discord.standIn.admin(discordUser, command, argumentsOf[command] ?? {});
      const answer = await discord.standIn.waitFor(`the answer to /admin ${command}`, () => interaction.original?.contents.at(-1));
      assert.equal(answer, UserError.adminOnly().message, `/admin ${command}`);
      assert.equal(interaction.original!.flags & ephemeralFlag, ephemeralFlag, `/admin ${command}: only the user sees the refusal`);
    }
    assert.deepEqual(await footprint(discord.redis.url, discord.config.QUEUE_PREFIX, discord.store, discord.config.DATA_DIR), before);
  });

  it('web: without a session (none, forged, or after a wrong password) every admin action and bull-board call is refused', async () => {
    const before = await footprint(telegram.redis.url, telegram.config.QUEUE_PREFIX, telegram.store, telegram.config.DATA_DIR);
    const login = await fetch(new URL('/admin/login', web.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'password=wrong',
      redirect: 'manual',
    });
    assert.equal(login.headers.get('set-cookie')?.includes('session') ?? false, false, 'a wrong password gets no session');
    const cookies = [undefined, 'animebot-admin=forged.value', 'session=forged'];
    const requests: [string, string, unknown][] = [
      ['POST', '/admin/api/actions/retrain', { style: 'sketch' }],
      ['POST', '/admin/api/actions/promote', { style: 'sketch', version: 'v1' }],
      ['POST', '/admin/api/actions/rollback', { style: 'sketch' }],
      ['POST', '/admin/api/actions/cancel', { jobId: 'some-run' }],
      ['GET', '/admin/api/events', undefined],
      ['PUT', `/admin/queues/api/queues/${queueNames.translate}/pause`, undefined],
      ['PUT', `/admin/queues/api/queues/${queueNames.train}/clean/completed`, undefined],
    ];
    for (const cookie of cookies) {
      for (const [method, route, body] of requests) {
        const response = await fetch(new URL(route, web.url), {
          method,
          redirect: 'manual',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        assert.equal(response.status, 401, `${method} ${route} with cookie ${cookie ?? 'none'}`);
      }
    }
    assert.deepEqual(await footprint(telegram.redis.url, telegram.config.QUEUE_PREFIX, telegram.store, telegram.config.DATA_DIR), before);
  });
});
