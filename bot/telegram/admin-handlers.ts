import type { Composer, Context } from 'grammy';
import type { Message } from 'grammy/types';
import { UserError } from '../../shared/errors.js';
import type { CurationItem } from '../core/curation.js';
import { decodeAction } from '../core/request-actions.js';
import { commandArgs, replyText, userIdOf } from './telegram-context.js';
import { imageOfMessage } from './telegram-files.js';
import type { TelegramNotice } from './telegram-target.js';
import type { HandlerDeps } from './user-handlers.js';

const curateUsage =
  'Reply to an image with /curate <dataset> [A|B|pair]: A adds it as a photo, B as a styled image, pair adds a result together with the photo it was made from (the default when you reply to a result).';

/** Admin commands; the core refuses anyone outside TELEGRAM_ADMIN_IDS before doing anything. */
export function registerAdminHandlers(bot: Composer<Context>, { core, files }: HandlerDeps): void {
  const noticeHere =
    (ctx: Context) =>
    async (text: string): Promise<TelegramNotice> => {
      const message = await ctx.reply(text);
      return { chatId: message.chat.id, messageId: message.message_id };
    };

  bot.command('retrain', async (ctx) => {
    const [style = '', dataset] = commandArgs(ctx);
    await core.admin.enqueueTraining(userIdOf(ctx), { kind: 'train', style, ...(dataset ? { dataset } : {}) }, noticeHere(ctx));
  });
  bot.command('eval', async (ctx) => {
    const [style = ''] = commandArgs(ctx);
    await core.admin.enqueueTraining(userIdOf(ctx), { kind: 'eval', style }, noticeHere(ctx));
  });
  bot.command('models', async (ctx) => replyText(ctx, await core.admin.models(userIdOf(ctx))));
  bot.command('promote', async (ctx) => {
    const [style, version] = commandArgs(ctx);
    core.admin.assertAdmin(userIdOf(ctx));
    if (!style || !version) throw new UserError('bad_command', 'Usage: /promote <style> <version> (see /models).');
    await replyText(ctx, await core.admin.promote(userIdOf(ctx), style, version));
  });
  bot.command('rollback', async (ctx) => {
    const [style] = commandArgs(ctx);
    core.admin.assertAdmin(userIdOf(ctx));
    if (!style) throw new UserError('bad_command', 'Usage: /rollback <style>.');
    await replyText(ctx, await core.admin.rollback(userIdOf(ctx), style));
  });
  bot.command('queue', async (ctx) => replyText(ctx, await core.admin.queueStats(userIdOf(ctx))));
  bot.command('runs', async (ctx) => replyText(ctx, await core.admin.listRuns(userIdOf(ctx))));
  bot.command('cancelrun', async (ctx) => {
    const [jobId] = commandArgs(ctx);
    core.admin.assertAdmin(userIdOf(ctx));
    if (!jobId) throw new UserError('bad_command', 'Usage: /cancelrun <job id> (see /runs).');
    await replyText(ctx, await core.admin.cancelRun(userIdOf(ctx), jobId));
  });
  bot.command('curate', async (ctx) => {
    const userId = userIdOf(ctx);
    core.admin.assertAdmin(userId);
    const [dataset, mode] = commandArgs(ctx);
    const replied = ctx.msg.reply_to_message;
    const image = replied && imageOfMessage(replied);
    if (!dataset || !replied || !image) throw new UserError('bad_command', curateUsage);
    const requestId = replied.from?.id === ctx.me.id ? requestOfResult(replied) : undefined;
    const kind = (mode ?? (requestId ? 'pair' : 'A')).toUpperCase();
    let item: CurationItem;
    if (kind === 'PAIR') {
      if (!requestId) throw new UserError('bad_command', 'A pair needs a reply to one of my results (the photo it was made from is added with it).');
      item = { kind: 'pair', requestId, result: files.incoming(image) };
    } else if (kind === 'A' || kind === 'B') {
      item = { kind: 'sample', domain: kind, image: files.incoming(image) };
    } else {
      throw new UserError('bad_command', curateUsage);
    }
    await replyText(ctx, await core.curation.add(userId, dataset, item));
  });
}

/** The request a result message answered, read back from its buttons. */
function requestOfResult(message: Message): string | undefined {
  for (const row of message.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) {
      const action = 'callback_data' in button ? decodeAction(button.callback_data) : undefined;
      if (action) return action.requestId;
    }
  }
  return undefined;
}
