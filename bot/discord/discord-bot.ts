import { once } from 'node:events';
import { Client, Events } from 'discord.js';
import type { Config } from '../../shared/config.js';
import { PortInUseError } from '../../shared/http/port-in-use.js';
import type { Logger } from '../../shared/logger.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { BotCore } from '../core/bot-core.js';
import { EventRunner } from '../core/event-runner.js';
import { AttachmentDownloads } from './attachment-downloads.js';
import { receiveInteraction, startWithoutGateway } from './client-without-gateway.js';
import { DiscordAdapter } from './discord-adapter.js';
import { apiBase } from './discord-api.js';
import { describeError } from './discord-errors.js';
import type { DiscordReply } from './discord-reply.js';
import { interactionHandler } from './interaction-router.js';
import { InteractionSignature } from './interaction-signature.js';
import { InteractionsEndpoint, interactionsPath } from './interactions-endpoint.js';

export interface DiscordBotOptions {
  config: Config;
  logger: Logger;
  redisUrl: string;
  /** Defaults to the directory store at MODELS_DIR. */
  store?: ModelStore;
}

export interface RunningDiscordBot {
  /** Leaves the gateway (or closes the interactions endpoint), finishes the interactions being handled and the deliveries being sent, closes connections. */
  close(): Promise<void>;
}

const shutdownGraceMs = 15_000;

/**
 * The Discord bot: a discord.js client on the REST API at DISCORD_API_BASE (whose
 * `GET /gateway/bot` names the gateway), receiving interactions over the gateway, or, with
 * DISCORD_PUBLIC_KEY, as signed HTTP POSTs at DISCORD_INTERACTIONS_PORT (the application's
 * Interactions Endpoint URL), with the shared bot core behind its handlers either way.
 * Commands are registered separately (`npm run discord:register`).
 */
export async function startDiscordBot({ config, logger: parentLogger, redisUrl, store }: DiscordBotOptions): Promise<RunningDiscordBot> {
  const token = config.DISCORD_TOKEN;
  if (!token) throw new Error('DISCORD_TOKEN is not set');
  const logger = parentLogger.child({ bot: 'discord' });
  const endpoint = config.DISCORD_PUBLIC_KEY ? new InteractionsEndpoint(new InteractionSignature(config.DISCORD_PUBLIC_KEY), logger) : undefined;
  // Interactions come without any gateway intent; by HTTP, their first responses are the POSTs' responses.
  const client = new Client({ intents: [], rest: { api: apiBase(config), ...(endpoint ? { makeRequest: endpoint.makeRequest } : {}) } });
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
    if (endpoint) {
      const application = await startWithoutGateway(client, token);
      await core.start();
      const port = await endpoint.listen(config.DISCORD_INTERACTIONS_PORT, (payload) => receiveInteraction(client, payload));
      logger.info({ port, path: interactionsPath }, `Discord bot ${application.name ?? application.id} receiving interactions by HTTP`);
    } else {
      await client.login(token);
      if (!client.isReady()) await once(client, Events.ClientReady);
      await core.start();
      logger.info(`Discord bot ${client.user?.tag ?? ''} receiving interactions over the gateway`);
    }
  } catch (err) {
    await endpoint?.close();
    await client.destroy();
    await core.close();
    if (err instanceof PortInUseError) throw err;
    throw new Error(`the Discord bot could not start: ${describeError(err)}`, { cause: err });
  }

  return {
    async close() {
      await endpoint?.close();
      await client.destroy();
      await events.drained(shutdownGraceMs);
      await core.close();
    },
  };
}
