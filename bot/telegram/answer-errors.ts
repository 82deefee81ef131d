import type { MiddlewareFn } from 'grammy';
import { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { describeError } from './telegram-errors.js';
import { replyText } from './telegram-context.js';

/**
 * Turns what handlers throw into an answer: a UserError's message as it is, anything else
 * logged and answered with a generic apology. Button presses get it as the callback query's
 * answer (so every callback query is answered), messages as a reply.
 */
export function answerErrors(logger: Logger): MiddlewareFn {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const userError = err instanceof UserError ? err : undefined;
      if (!userError) logger.error({ updateId: ctx.update.update_id, reason: describeError(err) }, 'handling an update failed');
      const text = (userError ?? UserError.somethingWentWrong(err)).message;
      const answered = ctx.callbackQuery ? ctx.answerCallbackQuery({ text, show_alert: true }) : ctx.chat ? replyText(ctx, text) : Promise.resolve();
      await answered.catch((e: unknown) => logger.warn({ reason: describeError(e) }, 'answering with an error failed'));
    }
  };
}
