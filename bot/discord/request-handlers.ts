import {
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type MessageContextMenuCommandInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { UserError } from '../../shared/errors.js';
import { styleLabel } from '../../shared/styles.js';
import { decodeAction } from '../core/request-actions.js';
import type { RemoteImage } from './attachment-downloads.js';
import type { HandlerDeps } from './handler-deps.js';
import { answerText, defer, replyTarget } from './interaction-replies.js';
import { attachmentImage, imageOfMessage } from './message-images.js';

/** Discord shows at most 25 autocomplete choices. */
const maxChoices = 25;

/** Request ids derive from interaction ids, so that an interaction seen twice is queued once. */
function requestIdOf(interaction: RepliableInteraction): string {
  return `dc-${interaction.id}`;
}

/*
 * Requests are deferred privately: refusals (not an image, too large, busy, not your
 * button…) reach only the user, and an accepted request's status is then posted for the
 * channel unless the request was private (see replyTarget).
 */

/** `/anime image:<attachment> [style] [private]`. */
export async function animeCommand(interaction: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  await defer(interaction, true);
  const style = interaction.options.getString('style')?.trim();
  const isPrivate = interaction.options.getBoolean('private') ?? false;
  await submit(interaction, deps, attachmentImage(interaction.options.getAttachment('image', true)), isPrivate, style || undefined);
}

/** The "Animeify" context menu on a message: its image, in the user's style. */
export async function animeifyMessage(interaction: MessageContextMenuCommandInteraction, deps: HandlerDeps): Promise<void> {
  await defer(interaction, true);
  const image = imageOfMessage(interaction.targetMessage);
  if (!image) throw new UserError('not_an_image', 'That message has no image. Use Animeify on a message with a photo, or /anime with an attachment.');
  await submit(interaction, deps, image, false);
}

async function submit(interaction: RepliableInteraction, { core, downloads, tokenLifetimeMs }: HandlerDeps, image: RemoteImage, isPrivate: boolean, style?: string): Promise<void> {
  await core.intake.submit({
    requestId: requestIdOf(interaction),
    userId: interaction.user.id,
    image: downloads.incoming(image),
    style,
    announce: (text) => replyTarget(interaction, text, tokenLifetimeMs, isPrivate),
  });
}

/**
 * The buttons under results ("other style", "retry"): the same image again as a new request,
 * answered in a new reply, private when the result was. Pressing the same button again
 * within seconds (a double tap) makes no second request.
 */
export async function pressButton(interaction: ButtonInteraction, { core, tokenLifetimeMs }: HandlerDeps): Promise<void> {
  const action = decodeAction(interaction.customId);
  if (!action) {
    await answerText(interaction, 'This button no longer works.');
    return;
  }
  await defer(interaction, true);
  const outcome = await core.intake.resubmit({
    requestId: requestIdOf(interaction),
    userId: interaction.user.id,
    fromRequestId: action.requestId,
    style: action.type === 'restyle' ? action.style : undefined,
    announce: (text) => replyTarget(interaction, text, tokenLifetimeMs, interaction.message.flags.has(MessageFlags.Ephemeral)),
  });
  if (!outcome.submitted && outcome.reason === 'duplicate') await answerText(interaction, 'That is already on its way.');
}

/** Choices for a style option: the installed styles whose name or label contains what was typed. */
export async function styleChoices(interaction: AutocompleteInteraction, { core }: HandlerDeps): Promise<void> {
  const typed = interaction.options.getFocused().trim().toLowerCase();
  const styles = await core.installedStyles.list();
  const matching = styles.filter((style) => style.includes(typed) || styleLabel(style).toLowerCase().includes(typed));
  await interaction.respond(matching.slice(0, maxChoices).map((style) => ({ name: styleLabel(style), value: style })));
}
