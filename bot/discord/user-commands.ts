import type { ChatInputCommandInteraction } from 'discord.js';
import { discordHelp, helpText } from '../core/messages.js';
import type { HandlerDeps } from './handler-deps.js';
import { answerText, defer } from './interaction-replies.js';

export type CommandHandler = (interaction: ChatInputCommandInteraction, deps: HandlerDeps) => Promise<void>;

const howToChooseStyles = 'Pick one with the style option of /anime; /style sets your default.';

/** A command answered with text only its user sees. */
function privateText(text: (interaction: ChatInputCommandInteraction, deps: HandlerDeps) => Promise<string>): CommandHandler {
  return async (interaction, deps) => {
    await defer(interaction, true);
    await answerText(interaction, await text(interaction, deps));
  };
}

/** The commands everyone may use besides /anime: help, styles, the default style, and their own requests. */
export const userCommands = {
  help: privateText((i, { core }) => Promise.resolve(helpText(core.admin.isAdmin(i.user.id), { ...discordHelp, maxOutputSide: core.maxOutputSide }))),
  styles: privateText((i, { core }) => core.styles.describe(i.user.id, howToChooseStyles)),
  style: privateText((i, { core }) => core.styles.set(i.user.id, i.options.getString('name', true))),
  status: privateText((i, { core }) => core.requests.status(i.user.id)),
  cancel: privateText((i, { core }) => core.requests.cancel(i.user.id)),
  forget: privateText((i, { core }) => core.requests.forget(i.user.id)),
} satisfies Record<string, CommandHandler>;
