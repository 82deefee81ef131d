import { z } from 'zod';

const snowflake = z.string().regex(/^\d{1,20}$/);

/**
 * The reply of an interaction, where the bot core answers a request (or reports an admin's
 * training run): stored with the request in Redis, so that any bot instance can edit it
 * later. The interaction token edits the reply until it expires; after that, a non-private
 * reply is still editable as a channel message, and answers go to the channel or by DM.
 */
export const discordReplySchema = z.object({
  applicationId: snowflake,
  interactionToken: z.string().min(1),
  /** When Discord stops accepting the token (ms since the epoch). */
  tokenExpiresAt: z.number().int(),
  /** The reply message ("@original"). */
  messageId: snowflake,
  /** The channel the interaction came from, where answers go once the token expired. */
  channelId: snowflake.optional(),
  /** Who asked: mentioned in a channel answer, or sent a DM. */
  userId: snowflake,
  /** Only the user sees the reply (ephemeral): answers never go to the channel. */
  private: z.boolean(),
});
export type DiscordReply = z.infer<typeof discordReplySchema>;

export function tokenAlive(reply: Pick<DiscordReply, 'tokenExpiresAt'>, now = Date.now()): boolean {
  return now < reply.tokenExpiresAt;
}
