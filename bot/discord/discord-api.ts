import type { Config } from '../../shared/config.js';

/** The REST API base discord.js talks to (its `rest.api` option); the gateway URL comes from its `GET /gateway/bot`. */
export function apiBase(config: Pick<Config, 'DISCORD_API_BASE'>): string {
  return config.DISCORD_API_BASE.replace(/\/+$/, '');
}
