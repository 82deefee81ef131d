import type { Composer, Context } from 'grammy';
import { decodeAction } from '../core/request-actions.js';
import { userIdOf } from './telegram-context.js';
import type { HandlerDeps } from './user-handlers.js';

/**
 * The buttons under results ("other style", "retry"): the same image is submitted again as
 * a new request, announced with a new status message under the user's original photo. The
 * callback query is always answered (errors by the error middleware).
 */
export function registerButtonHandlers(bot: Composer<Context>, { core }: HandlerDeps): void {
  bot.on('callback_query:data', async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    if (!action) {
      await ctx.answerCallbackQuery({ text: 'This button no longer works.' });
      return;
    }
    const outcome = await core.intake.resubmit({
      requestId: `tg-cb-${ctx.callbackQuery.id}`,
      userId: userIdOf(ctx),
      fromRequestId: action.requestId,
      style: action.type === 'restyle' ? action.style : undefined,
      announce: async (text, original) => {
        const status = await ctx.api.sendMessage(original.chatId, text, {
          reply_parameters: { message_id: original.userMessageId, allow_sending_without_reply: true },
        });
        return { ...original, statusMessageId: status.message_id };
      },
    });
    // A repeat (a double tap) made no second request; the first one's status message is on its way.
    await ctx.answerCallbackQuery(outcome.submitted ? { text: 'Queued' } : outcome.reason === 'duplicate' ? { text: 'Already on its way' } : {});
  });
  // Any other button (none of ours) is answered too, so that its spinner stops.
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());
}
