import type { Composer, Context } from 'grammy';
import type { BotCore } from '../core/bot-core.js';
import { helpText, introText, telegramHelp } from '../core/messages.js';
import { styleInCaption } from '../../shared/styles.js';
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
  bot.command('help', (ctx) => replyText(ctx, helpText(core.admin.isAdmin(userIdOf(ctx)), { ...telegramHelp, maxOutputSide: core.maxOutputSide })));
  bot.command('styles', async (ctx) => replyText(ctx, await core.styles.describe(userIdOf(ctx))));
  bot.command('style', async (ctx) => {
    const [style] = commandArgs(ctx);
    await replyText(ctx, style ? await core.styles.set(userIdOf(ctx), style) : await core.styles.describe(userIdOf(ctx)));
  });
  bot.command('status', async (ctx) => replyText(ctx, await core.requests.status(userIdOf(ctx))));
  bot.command('cancel', async (ctx) => replyText(ctx, await core.requests.cancel(userIdOf(ctx))));
  bot.command('forget', async (ctx) => replyText(ctx, await core.requests.forget(userIdOf(ctx))));

  bot.on(['message:photo', 'message:document', 'message:animation'], async (ctx) => {
    const message = ctx.msg;
    const image = imageOfMessage(message);
    if (!image) return;
    const chatId = ctx.chat.id;
    await core.intake.submit({
      requestId: `tg-${chatId}-${message.message_id}`,
      userId: userIdOf(ctx),
      image: files.incoming(image),
      style: styleInCaption(message.caption, await core.installedStyles.list()),
      announce: async (text) => {
        const status = await ctx.reply(text, { reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true } });
        return { chatId, userMessageId: message.message_id, statusMessageId: status.message_id, asDocument: image.asDocument };
      },
    });
  });
}

const hints = {
  text: 'Send me a photo to style it. /help shows what I can do.',
  sticker: 'Stickers are not photos I can style. Send a photo (or an image file).',
  media: 'I style still images only. Send a photo (or an image file); /help shows what I can do.',
};

/**
 * What reaches no other handler, in a private chat: plain text, a command the bot does not
 * have, stickers, videos, voice and audio messages get a one-line hint. (In groups the bot
 * stays quiet about them; there they are usually meant for people.)
 */
export function registerFallbackHandler(bot: Composer<Context>): void {
  bot.on('message:text', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    const command = /^\/(\S+)/.exec(ctx.msg.text)?.[1];
    await replyText(ctx, command ? `I have no command /${command.replace(/@\w+$/, '')}. /help lists what I can do.` : hints.text);
  });
  bot.on('message:sticker', async (ctx) => {
    if (ctx.chat.type === 'private') await replyText(ctx, hints.sticker);
  });
  bot.on(['message:video', 'message:video_note', 'message:voice', 'message:audio'], async (ctx) => {
    if (ctx.chat.type === 'private') await replyText(ctx, hints.media);
  });
}
