import type { Composer, Context } from 'grammy';
import type { BotCore } from '../core/bot-core.js';
import { helpText, introText } from '../core/messages.js';
import { styleFromCaption } from './caption-style.js';
import { commandArgs, replyText, userIdOf } from './telegram-context.js';
import { imageOfMessage, type TelegramFiles } from './telegram-files.js';
import type { TelegramNotice, TelegramTarget } from './telegram-target.js';

export interface HandlerDeps {
  core: BotCore<TelegramTarget, TelegramNotice>;
  files: TelegramFiles;
}

/** Photos and image files in, and the commands everyone may use. */
export function registerUserHandlers(bot: Composer<Context>, { core, files }: HandlerDeps): void {
  bot.command('start', (ctx) => replyText(ctx, introText(ctx.me.first_name)));
  bot.command('help', (ctx) => replyText(ctx, helpText(core.admin.isAdmin(userIdOf(ctx)))));
  bot.command('styles', async (ctx) => replyText(ctx, await core.styles.describe(userIdOf(ctx))));
  bot.command('style', async (ctx) => {
    const [style] = commandArgs(ctx);
    await replyText(ctx, style ? await core.styles.set(userIdOf(ctx), style) : await core.styles.describe(userIdOf(ctx)));
  });
  bot.command('status', async (ctx) => replyText(ctx, await core.requests.status(userIdOf(ctx))));
  bot.command('cancel', async (ctx) => replyText(ctx, await core.requests.cancel(userIdOf(ctx))));
  bot.command('forget', async (ctx) => replyText(ctx, await core.requests.forget(userIdOf(ctx))));

  bot.on(['message:photo', 'message:document'], async (ctx) => {
    const message = ctx.msg;
    const image = imageOfMessage(message);
    if (!image) return;
    const chatId = ctx.chat.id;
    await core.intake.submit({
      requestId: `tg-${chatId}-${message.message_id}`,
      userId: userIdOf(ctx),
      image: files.incoming(image),
      style: styleFromCaption(message.caption),
      announce: async (text) => {
        const status = await ctx.reply(text, { reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true } });
        return { chatId, userMessageId: message.message_id, statusMessageId: status.message_id, asDocument: image.asDocument };
      },
    });
  });
}

/** Plain text in a private chat (after every command handler had its chance): a hint. */
export function registerFallbackHandler(bot: Composer<Context>): void {
  bot.on('message:text', async (ctx) => {
    if (ctx.chat.type === 'private' && !ctx.msg.text.startsWith('/')) await replyText(ctx, 'Send me a photo to style it. /help shows what I can do.');
  });
}
