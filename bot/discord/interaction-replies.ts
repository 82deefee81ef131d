import { MessageFlags, type RepliableInteraction } from 'discord.js';
import { fitContent } from './discord-message.js';
import { discordReplySchema, type DiscordReply } from './discord-reply.js';

/**
 * Acknowledges the interaction, as Discord requires within 3 s: the user sees "thinking…"
 * until the reply is edited. A private reply is ephemeral: only the user sees it.
 */
export async function defer(interaction: RepliableInteraction, isPrivate: boolean): Promise<void> {
  await interaction.deferReply(isPrivate ? { flags: MessageFlags.Ephemeral } : {});
}

/**
 * Shows an accepted request's (or training run's) status, and returns where the core answers
 * it. The interaction was deferred privately (`defer(interaction, true)`), so that refusals
 * reach only the user: a private request keeps that reply; a public one is posted for the
 * channel as a follow-up, and the private reply goes. (It is edited first: Discord makes the
 * first follow-up of a deferred interaction the deferred reply itself, which would keep it
 * private.)
 */
export async function replyTarget(interaction: RepliableInteraction, text: string, tokenLifetimeMs: number, isPrivate: boolean): Promise<DiscordReply> {
  const content = fitContent(text);
  let message = await interaction.editReply({ content, allowedMentions: { parse: [] } });
  if (!isPrivate) {
    message = await interaction.followUp({ content, allowedMentions: { parse: [] } });
    // The request is under way whether or not the private reply could be removed; it then just stays.
    await interaction.deleteReply().catch(() => undefined);
  }
  return discordReplySchema.parse({
    applicationId: interaction.applicationId,
    interactionToken: interaction.token,
    tokenExpiresAt: interaction.createdTimestamp + tokenLifetimeMs,
    messageId: message.id,
    ...(interaction.channelId ? { channelId: interaction.channelId } : {}),
    userId: interaction.user.id,
    private: isPrivate,
  });
}

/** Answers with plain text: the deferred reply becomes it, or, when nothing was sent yet, an ephemeral reply. */
export async function answerText(interaction: RepliableInteraction, text: string): Promise<void> {
  const content = fitContent(text);
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content, components: [], allowedMentions: { parse: [] } });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}
