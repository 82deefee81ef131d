import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, type BotError, type Context } from 'grammy';
import type { Config } from '../../shared/config.js';
import { PortInUseError } from '../../shared/http/port-in-use.js';
import type { Logger } from '../../shared/logger.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { createRedis } from '../../shared/queue/redis.js';
import { BotCore } from '../core/bot-core.js';
import { EventRunner } from '../core/event-runner.js';
import { registerAdminHandlers } from './admin-handlers.js';
import { answerErrors } from './answer-errors.js';
import { registerButtonHandlers } from './button-handlers.js';
import { TelegramAdapter } from './telegram-adapter.js';
import { registerCommands } from './telegram-commands.js';
import { describeError } from './telegram-errors.js';
import { TelegramFiles } from './telegram-files.js';
import type { TelegramNotice, TelegramTarget } from './telegram-target.js';
import { UpdateInbox } from './update-inbox.js';
import { registerFallbackHandler, registerUserHandlers } from './user-handlers.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

export interface TelegramBotOptions {
  config: Config;
  logger: Logger;
  redisUrl: string;
  /** Defaults to the directory store at MODELS_DIR. */
  store?: ModelStore;
}

export interface RunningTelegramBot {
  /** Stops taking updates, finishes the ones being handled and the deliveries being sent, closes connections. */
  close(): Promise<void>;
}

const allowedUpdates = ['message', 'callback_query'] as const;
const shutdownGraceMs = 15_000;

/**
 * The Telegram bot: grammY on the Bot API at TELEGRAM_API_ROOT, with auto-retry for rate
 * limits and server errors, the shared bot core behind its handlers, long polling through
 * @grammyjs/runner (updates of one chat in order) or, with TELEGRAM_WEBHOOK_URL, a webhook.
 */
export async function startTelegramBot({ config, logger: parentLogger, redisUrl, store }: TelegramBotOptions): Promise<RunningTelegramBot> {
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');
  const logger = parentLogger.child({ bot: 'telegram' });
  const apiRoot = config.TELEGRAM_API_ROOT.replace(/\/+$/, '');
  const bot = new Bot(token, { client: { apiRoot } });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));

  const core = new BotCore<TelegramTarget, TelegramNotice>({
    config,
    logger,
    redisUrl,
    adapter: new TelegramAdapter(bot.api, logger),
    admins: config.TELEGRAM_ADMIN_IDS,
    maxDownloadBytes: config.TELEGRAM_DOWNLOAD_LIMIT_BYTES,
    store,
  });
  const deps = { core, files: new TelegramFiles(bot.api, apiRoot, token, logger) };
  // Each update once (Telegram redelivers updates a stopped bot did not confirm), counted for shutdown.
  const events = new EventRunner(core.handledEvents);
  const inboxRedis = createRedis(redisUrl);
  const inbox = new UpdateInbox(inboxRedis, config.QUEUE_PREFIX);
  bot.use(async (ctx, next) => {
    await events.run(`${ctx.me.id}-${ctx.update.update_id}`, next);
    await inbox.handled(ctx.update.update_id);
  });
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  bot.use(answerErrors(logger));
  registerUserHandlers(bot, deps);
  registerAdminHandlers(bot, deps);
  registerButtonHandlers(bot, deps);
  registerFallbackHandler(bot);
  bot.catch((err) => logger.error({ updateId: err.ctx.update.update_id, reason: describeError(err.error) }, 'update handler failed'));

  let runner: RunnerHandle | undefined;
  let webhook: WebhookServer | undefined;
  try {
    await bot.init();
    await registerCommands(bot.api, config.TELEGRAM_ADMIN_IDS, logger);
    await core.start();
    if (config.TELEGRAM_WEBHOOK_URL) {
      const url = new URL(config.TELEGRAM_WEBHOOK_URL);
      webhook = await startWebhookServer(bot, {
        port: config.TELEGRAM_WEBHOOK_PORT,
        path: url.pathname,
        ...(config.TELEGRAM_WEBHOOK_SECRET ? { secretToken: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      });
      await bot.api.setWebhook(url.href, {
        allowed_updates: [...allowedUpdates],
        ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      });
      logger.info({ port: webhook.port, path: url.pathname }, `Telegram bot @${bot.botInfo.username} receiving updates by webhook`);
    } else {
      await bot.api.deleteWebhook();
      // What a bot killed mid-handling left, handled to the end before polling: Telegram may send some of
      // it again (the batch the killed bot had not confirmed), and that copy must find it handled.
      await Promise.all((await inbox.unhandled()).map((update) => bot.handleUpdate(update).catch((err: BotError) => bot.errorHandler(err))));
      bot.api.config.use(inbox.keeper());
      runner = run(bot, { runner: { fetch: { allowed_updates: [...allowedUpdates] } } });
      logger.info(`Telegram bot @${bot.botInfo.username} receiving updates by long polling`);
    }
  } catch (err) {
    await webhook?.close();
    await core.close();
    inboxRedis.disconnect();
    if (err instanceof PortInUseError) throw err;
    throw new Error(`the Telegram bot could not start: ${describeError(err)}`, { cause: err });
  }

  return {
    async close() {
      if (runner?.isRunning()) await runner.stop();
      await webhook?.close();
      await events.drained(shutdownGraceMs);
      await core.close();
      await inboxRedis.quit();
    },
  };
}
