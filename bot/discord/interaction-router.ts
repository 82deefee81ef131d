import type { Interaction } from 'discord.js';
import { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { adminCommand } from './admin-commands.js';
import { commandNames } from './discord-commands.js';
import { describeError } from './discord-errors.js';
import type { HandlerDeps } from './handler-deps.js';
import { answerText } from './interaction-replies.js';
import { animeCommand, animeifyMessage, pressButton, styleChoices } from './request-handlers.js';
import { userCommands, type CommandHandler } from './user-commands.js';

const chatCommands: Record<string, CommandHandler> = {
  [commandNames.anime]: animeCommand,
  [commandNames.admin]: adminCommand,
  ...userCommands,
};

/**
 * Routes each interaction to its handler and turns what handlers throw into an answer: a
 * UserError's message as it is, anything else logged and answered with a generic apology.
 */
export function interactionHandler(deps: HandlerDeps, logger: Logger): (interaction: Interaction) => Promise<void> {
  return async (interaction) => {
    try {
      await route(interaction, deps);
    } catch (err) {
      const userError = err instanceof UserError ? err : undefined;
      if (!userError) logger.error({ interactionId: interaction.id, reason: describeError(err) }, 'handling an interaction failed');
      const answered = interaction.isAutocomplete()
        ? interaction.responded
          ? Promise.resolve()
          : interaction.respond([])
        : answerText(interaction, (userError ?? UserError.somethingWentWrong(err)).message);
      await answered.catch((e: unknown) => logger.warn({ interactionId: interaction.id, reason: describeError(e) }, 'answering with an error failed'));
    }
  };
}

async function route(interaction: Interaction, deps: HandlerDeps): Promise<void> {
  if (interaction.isAutocomplete()) return styleChoices(interaction, deps);
  if (interaction.isButton()) return pressButton(interaction, deps);
  if (interaction.isMessageContextMenuCommand() && interaction.commandName === commandNames.animeify) return animeifyMessage(interaction, deps);
  const handler = interaction.isChatInputCommand() ? chatCommands[interaction.commandName] : undefined;
  if (interaction.isChatInputCommand() && handler) return handler(interaction, deps);
  if (interaction.isRepliable()) await answerText(interaction, 'This command is no longer available.');
}
