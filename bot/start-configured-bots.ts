import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { startDiscordBot } from './discord/discord-bot.js';
import { startTelegramBot } from './telegram/telegram-bot.js';
import { startWebPlatform } from './web/web-platform.js';

export interface RunningBots {
  close(): Promise<void>;
}

/** Starts each chat bot whose token is configured (saying how to enable the others), and the web platform. */
export async function startConfiguredBots({ config, logger, redisUrl }: { config: Config; logger: Logger; redisUrl: string }): Promise<RunningBots> {
  const running: RunningBots[] = [];
  const closeAll = async () => {
    await Promise.all(running.map((b) => b.close()));
  };
  try {
    if (config.TELEGRAM_BOT_TOKEN) running.push(await startTelegramBot({ config, logger, redisUrl }));
    else logger.info('Telegram bot disabled: set TELEGRAM_BOT_TOKEN (from @BotFather) to enable it');
    if (config.DISCORD_TOKEN) running.push(await startDiscordBot({ config, logger, redisUrl }));
    else logger.info('Discord bot disabled: set DISCORD_TOKEN (from the Discord developer portal) to enable it');
    running.push(await startWebPlatform({ config, logger, redisUrl }));
  } catch (err) {
    // A bot that failed to start must not leave the one started before it running.
    await closeAll();
    throw err;
  }
  return { close: closeAll };
}
