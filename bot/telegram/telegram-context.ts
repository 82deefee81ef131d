import type { Context } from 'grammy';
import { UserError } from '../../shared/errors.js';

/** Telegram messages hold at most 4096 characters. */
const maxTextLength = 4096;

/** The id of the user behind an update, as the core keys users. */
export function userIdOf(ctx: Context): string {
  if (!ctx.from) throw new UserError('bad_command', 'This only works in a chat with a user.');
  return String(ctx.from.id);
}

/** The words after a command. */
export function commandArgs(ctx: Context): string[] {
  const match = typeof ctx.match === 'string' ? ctx.match : '';
  return match.split(/\s+/).filter(Boolean);
}

/** Replies to the update's message with plain text, cut to Telegram's limit. */
export async function replyText(ctx: Context, text: string): Promise<void> {
  const cut = text.length > maxTextLength ? `${text.slice(0, maxTextLength - 1)}…` : text;
  const messageId = ctx.msg?.message_id;
  await ctx.reply(cut, messageId ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } } : {});
}
