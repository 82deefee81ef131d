import { DiscordAPIError, HTTPError, RESTJSONErrorCodes } from 'discord.js';
import { redactSecrets } from '../../shared/logger.js';

const replyGoneCodes: ReadonlySet<number | string> = new Set([
  RESTJSONErrorCodes.InvalidWebhookToken,
  RESTJSONErrorCodes.UnknownWebhook,
  RESTJSONErrorCodes.UnknownMessage,
  RESTJSONErrorCodes.UnknownInteraction,
]);

/**
 * The interaction's reply can no longer be reached with its token: the token expired (401
 * "Invalid Webhook Token" after 15 minutes) or the reply is gone.
 */
export function isReplyGone(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.status === 401 || replyGoneCodes.has(err.code));
}

/**
 * Refusals no retry can fix: missing access or permissions, unknown channels or users, DMs
 * closed. Rate limits are waited out by discord.js's REST client, server errors retried.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof DiscordAPIError && err.status >= 400 && err.status < 500 && err.status !== 429;
}

/** An error as one line for logs. Discord's errors name the request's URL, which holds the interaction token, so only name, message and status are kept. */
export function describeError(err: unknown): string {
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return redactSecrets(`${err.name}: ${err.message} (HTTP ${err.status})`);
  return redactSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}
