import { Queue } from 'bullmq';
import { startDiscordBot, type RunningDiscordBot } from '../../bot/discord/discord-bot.js';
import { interactionsPath } from '../../bot/discord/interactions-endpoint.js';
import type { Config } from '../../shared/config.js';
import type { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { freePort, type LocalRedis } from '../../shared/process/local-redis.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { startBotBackend } from '../helpers/bot-backend.js';
import { capturingLogger, testConfig } from '../helpers/pipeline.js';
import { DiscordStandIn, type DiscordUser } from './discord-stand-in.js';

export const alice: DiscordUser = { id: '310000000000000001', username: 'alice' };
export const bob: DiscordUser = { id: '310000000000000002', username: 'bob' };
export const adminUser: DiscordUser = { id: '310000000000000009', username: 'ada' };

/** Everything an end-to-end Discord test runs against: Redis, tiny models, the Discord stand-in, a worker and the bot. */
export interface DiscordHarness {
  redis: LocalRedis;
  standIn: DiscordStandIn;
  store: DirectoryModelStore;
  config: Config;
  /** The settings as environment variables (for a bot in a child process). */
  env: Record<string, string>;
  /** Everything the in-process bot and the worker logged, at debug level and without the app logger's redaction. */
  logs: string[];
  /** The translate and train queues, to look at and to pause. */
  translate: Queue;
  train: Queue;
  startWorker(): Promise<void>;
  /** Starts the bot in this process, with settings on top of the harness's. */
  startBot(overrides?: Record<string, string>): Promise<RunningDiscordBot>;
  stopBot(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `interactions: 'http'` runs the bot with Discord's HTTP interactions instead of the
 * gateway: the stand-in posts each interaction, signed, to the bot's endpoint.
 */
export async function startDiscordHarness(options: { interactions?: 'gateway' | 'http' } = {}): Promise<DiscordHarness> {
  const backend = await startBotBackend();
  const { redis, store } = backend;
  const standIn = await DiscordStandIn.start();
  const env: Record<string, string> = {
    ...backend.env,
    DISCORD_TOKEN: standIn.token,
    DISCORD_API_BASE: standIn.apiBase,
    DISCORD_ADMIN_IDS: adminUser.id,
  };
  if (options.interactions === 'http') {
    const port = await freePort();
    env.DISCORD_PUBLIC_KEY = standIn.publicKey;
    env.DISCORD_INTERACTIONS_PORT = String(port);
    standIn.interactionsUrl = `http://127.0.0.1:${port}${interactionsPath}`;
  }
  const config = testConfig(env);
  const connection = redisOptions(redis.url);
  const translate = new Queue(queueNames.translate, { connection, prefix: config.QUEUE_PREFIX });
  const train = new Queue(queueNames.train, { connection, prefix: config.QUEUE_PREFIX });
  let bot: RunningDiscordBot | undefined;
  const logs: string[] = [];
  const logger = capturingLogger(logs);
  return {
    redis,
    standIn,
    store,
    config,
    env,
    logs,
    translate,
    train,
    async startWorker() {
      await backend.startWorker(config, logger);
    },
    async startBot(overrides = {}) {
      const botConfig = testConfig({ ...env, ...overrides });
      bot = await startDiscordBot({ config: botConfig, logger, redisUrl: redis.url, store });
      return bot;
    },
    async stopBot() {
      await bot?.close();
      bot = undefined;
    },
    async close() {
      await bot?.close();
      await translate.close();
      await train.close();
      await standIn.close();
      await backend.close();
    },
  };
}
