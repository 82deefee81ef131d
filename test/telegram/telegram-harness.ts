import { startTelegramBot, type RunningTelegramBot } from '../../bot/telegram/telegram-bot.js';
import type { Config } from '../../shared/config.js';
import type { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import type { LocalRedis } from '../../shared/process/local-redis.js';
import { startBotBackend } from '../helpers/bot-backend.js';
import { capturingLogger, testConfig } from '../helpers/pipeline.js';
import { BotApiStandIn, type TelegramUser } from './bot-api-stand-in.js';

export const alice: TelegramUser = { id: 5001, first_name: 'Alice' };
export const adminUser: TelegramUser = { id: 9001, first_name: 'Ada' };

/** Everything an end-to-end Telegram test runs against: Redis, tiny models, the Bot API stand-in, a worker and the bot. */
export interface TelegramHarness {
  redis: LocalRedis;
  standIn: BotApiStandIn;
  store: DirectoryModelStore;
  config: Config;
  /** The settings as environment variables (for a bot in a child process). */
  env: Record<string, string>;
  /** Everything the in-process bots and the worker logged, at debug level and without the app logger's redaction. */
  logs: string[];
  startWorker(): Promise<void>;
  /** Starts a bot in this process; `overrides` are settings on top of the harness's. */
  startBot(overrides?: Record<string, string>): Promise<RunningTelegramBot>;
  stopBot(): Promise<void>;
  close(): Promise<void>;
}

export async function startTelegramHarness(overrides: Record<string, string> = {}): Promise<TelegramHarness> {
  const backend = await startBotBackend();
  const { redis, store } = backend;
  const standIn = await BotApiStandIn.start();
  const env = {
    ...backend.env,
    TELEGRAM_BOT_TOKEN: standIn.token,
    TELEGRAM_API_ROOT: standIn.apiRoot,
    TELEGRAM_ADMIN_IDS: String(adminUser.id),
    ...overrides,
  };
  const config = testConfig(env);
  const bots: RunningTelegramBot[] = [];
  const logs: string[] = [];
  const logger = capturingLogger(logs);
  return {
    redis,
    standIn,
    store,
    config,
    env,
    logs,
    async startWorker() {
      await backend.startWorker(config, logger);
    },
    async startBot(overrides = {}) {
      const bot = await startTelegramBot({ config: testConfig({ ...env, ...overrides }), logger, redisUrl: redis.url, store });
      bots.push(bot);
      return bot;
    },
    async stopBot() {
      await Promise.all(bots.splice(0).map((b) => b.close()));
    },
    async close() {
      await Promise.all(bots.splice(0).map((b) => b.close()));
      await standIn.close();
      await backend.close();
    },
  };
}
