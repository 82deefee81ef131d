import { InputFile, type Api, type InlineKeyboard } from 'grammy';
import type { Logger } from '../../shared/logger.js';
import type { TranslateResult } from '../../shared/queue/contracts.js';
import { UndeliverableError, type Answer, type PlatformAdapter, type ProgressUpdate } from '../core/platform-adapter.js';
import { describeError, isNotModified, isPermanent } from './telegram-errors.js';
import { inlineKeyboard } from './telegram-keyboard.js';
import { telegramNoticeSchema, telegramTargetSchema, type TelegramNotice, type TelegramTarget } from './telegram-target.js';

/** sendPhoto's limits: larger or odder images go as documents. */
const photoLimits = { bytes: 10 * 1024 * 1024, sideSum: 10_000, aspect: 20 };

function fitsAsPhoto(result: TranslateResult, bytes: number): boolean {
  const { width, height } = result;
  return bytes <= photoLimits.bytes && width + height <= photoLimits.sideSum && Math.max(width / height, height / width) <= photoLimits.aspect;
}

/** The bot core's answers and notices as Telegram messages, through the Bot API. */
export class TelegramAdapter implements PlatformAdapter<TelegramTarget, TelegramNotice> {
  readonly platform = 'telegram' as const;
  readonly targetSchema = telegramTargetSchema;
  readonly noticeTargetSchema = telegramNoticeSchema;
  /** Telegram allows about one edit per second in a chat. */
  readonly progressIntervalMs = 1000;
  /** Telegram shows a chat action for 5 s; it is renewed a little sooner. */
  readonly activityIntervalMs = 4000;

  constructor(
    private readonly api: Api,
    private readonly logger: Logger,
  ) {}

  async deliver(target: TelegramTarget, answer: Answer): Promise<void> {
    const keyboard = inlineKeyboard(answer.buttons);
    if (answer.kind === 'failure') {
      // The status message becomes the answer; if it is gone, the answer is a new message.
      const edited = await this.edit(target.chatId, target.statusMessageId, answer.statusText, keyboard);
      if (!edited) await this.send(() => this.api.sendMessage(target.chatId, answer.statusText, { ...this.replyTo(target), ...(keyboard ? { reply_markup: keyboard } : {}) }));
      return;
    }
    const file = new InputFile(answer.image, `${answer.result.style}.${answer.result.format}`);
    const other = { caption: answer.caption, ...this.replyTo(target), ...(keyboard ? { reply_markup: keyboard } : {}) };
    await this.send(() =>
      target.asDocument || !fitsAsPhoto(answer.result, answer.image.length) ? this.api.sendDocument(target.chatId, file, other) : this.api.sendPhoto(target.chatId, file, other),
    );
    // A text message cannot become a photo: the status message goes, so that the request leaves one message, the result.
    // (Telegram lets bots delete messages for 48 hours; an older one says "Done" instead.)
    const deleted = await this.api.deleteMessage(target.chatId, target.statusMessageId).then(
      () => true,
      (err: unknown) => {
        this.logger.debug({ reason: describeError(err) }, 'deleting the status message failed');
        return false;
      },
    );
    if (!deleted) await this.edit(target.chatId, target.statusMessageId, answer.statusText);
  }

  async showProgress(target: TelegramTarget, update: ProgressUpdate): Promise<void> {
    await this.edit(target.chatId, target.statusMessageId, update.text);
  }

  /** "sending a photo…" in the chat while the request runs. */
  async showActivity(target: TelegramTarget): Promise<void> {
    await this.api.sendChatAction(target.chatId, 'upload_photo').catch((err: unknown) => this.logger.debug({ reason: describeError(err) }, 'chat action failed'));
  }

  async editNotice(target: TelegramNotice, text: string): Promise<void> {
    await this.edit(target.chatId, target.messageId, text);
  }

  async postNoticeImage(target: TelegramNotice, caption: string, image: Buffer): Promise<void> {
    await this.send(() =>
      this.api.sendPhoto(target.chatId, new InputFile(image, 'summary.png'), {
        caption,
        reply_parameters: { message_id: target.messageId, allow_sending_without_reply: true },
      }),
    );
  }

  private replyTo(target: TelegramTarget) {
    return { reply_parameters: { message_id: target.userMessageId, allow_sending_without_reply: true } };
  }

  /** Edits a message; false when it cannot be edited (deleted, too old). "Not modified" counts as done. */
  private async edit(chatId: number, messageId: number, text: string, keyboard?: InlineKeyboard): Promise<boolean> {
    try {
      await this.api.editMessageText(chatId, messageId, text, keyboard ? { reply_markup: keyboard } : {});
      return true;
    } catch (err) {
      if (isNotModified(err)) return true;
      this.logger.debug({ chatId, messageId, reason: describeError(err) }, 'editing a message failed');
      return false;
    }
  }

  /** Sends a message that must arrive: permanent refusals become UndeliverableError, the rest is retried by the caller. */
  private async send(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (err) {
      if (isPermanent(err)) throw new UndeliverableError(describeError(err), { cause: err });
      throw new Error(describeError(err), { cause: err });
    }
  }
}
