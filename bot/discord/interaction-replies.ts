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

/** Shows `text` as the deferred reply, and returns that reply as the core's answer target. */
export async function replyTarget(interaction: RepliableInteraction, text: string, tokenLifetimeMs: number): Promise<DiscordReply> {
  const message = await interaction.editReply({ content: fitContent(text), allowedMentions: { parse: [] } });
  return discordReplySchema.parse({
    applicationId: interaction.applicationId,
    interactionToken: interaction.token,
    tokenExpiresAt: interaction.createdTimestamp + tokenLifetimeMs,
    messageId: message.id,
    ...(interaction.channelId ? { channelId: interaction.channelId } : {}),
    userId: interaction.user.id,
    private: interaction.ephemeral ?? false,
  });
}

/** Answers with plain text: the deferred reply becomes it, or, when nothing was sent yet, an ephemeral reply. */
export async function answerText(interaction: RepliableInteraction, text: string): Promise<void> {
  const content = fitContent(text);
  if (interaction.deferred || interaction.replied) await interaction.editReply({ content, components: [], allowedMentions: { parse: [] } });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}
