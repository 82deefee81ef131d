import type { REST } from 'discord.js';
import type { BotCore } from '../core/bot-core.js';
import type { AttachmentDownloads } from './attachment-downloads.js';
import type { DiscordReply } from './discord-reply.js';

/** What the interaction handlers work with. */
export interface HandlerDeps {
  core: BotCore<DiscordReply, DiscordReply>;
  downloads: AttachmentDownloads;
  rest: REST;
  /** How long an interaction's token works (DISCORD_INTERACTION_TTL_MS). */
  tokenLifetimeMs: number;
}
