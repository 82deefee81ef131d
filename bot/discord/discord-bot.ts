import { once } from 'node:events';
import { Client, Events } from 'discord.js';
import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { BotCore } from '../core/bot-core.js';
import { EventRunner } from '../core/event-runner.js';
import { AttachmentDownloads } from './attachment-downloads.js';
import { DiscordAdapter } from './discord-adapter.js';
import { apiBase } from './discord-api.js';
import { describeError } from './discord-errors.js';
import type { DiscordReply } from './discord-reply.js';
import { interactionHandler } from './interaction-router.js';

export interface DiscordBotOptions {
  config: Config;
  logger: Logger;
  redisUrl: string;
  /** Defaults to the directory store at MODELS_DIR. */
  store?: ModelStore;
}

export interface RunningDiscordBot {
  /** Leaves the gateway, finishes the interactions being handled and the deliveries being sent, closes connections. */
  close(): Promise<void>;
}

const shutdownGraceMs = 15_000;

/**
 * The Discord bot: a discord.js client on the REST API at DISCORD_API_BASE (whose
 * `GET /gateway/bot` names the gateway), receiving interactions over the gateway, with the
 * shared bot core behind its handlers. Commands are registered separately (`npm run
 * discord:register`).
 */
export async function startDiscordBot({ config, logger: parentLogger, redisUrl, store }: DiscordBotOptions): Promise<RunningDiscordBot> {
  const token = config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  const logger = parentLogger.child({ bot: 'discord' });
  // Interactions come without any gateway intent.
  const client = new Client({ intents: [], rest: { api: apiBase(config) } });
  const core = new BotCore<DiscordReply, DiscordReply>({
    config,
    logger,
    redisUrl,
    adapter: new DiscordAdapter(client.rest, logger),
    admins: config.DISCORD_ADMIN_IDS,
    store,
  });
  const events = new EventRunner(core.handledEvents);
  const handle = interactionHandler(
    { core, downloads: new AttachmentDownloads(config.MAX_INPUT_BYTES, logger), rest: client.rest, tokenLifetimeMs: config.DISCORD_INTERACTION_TTL_MS },
    logger,
  );
  client.on(Events.InteractionCreate, (interaction) => {
    events
      .run(`interaction-${interaction.id}`, () => handle(interaction))
      .catch((err: unknown) => logger.error({ interactionId: interaction.id, reason: describeError(err) }, 'interaction handler failed'));
  });
  client.on(Events.Error, (err) => logger.error({ reason: describeError(err) }, 'Discord client error'));
  client.on(Events.ShardError, (err) => logger.warn({ reason: describeError(err) }, 'Discord gateway connection error'));

  try {
    await client.login(token);
    if (!client.isReady()) await once(client, Events.ClientReady);
    await core.start();
  } catch (err) {
    await client.destroy();
    await core.close();
    throw new Error(`the Discord bot could not start: ${describeError(err)}`, { cause: err });
  }
  logger.info(`Discord bot ${client.user?.tag ?? ''} receiving interactions over the gateway`);

  return {
    async close() {
      await client.destroy();
      await events.drained(shutdownGraceMs);
      await core.close();
    },
  };
}
