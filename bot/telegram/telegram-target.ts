import { z } from 'zod';

/** Where a Telegram request is answered; stored with the request in Redis. */
export const telegramTargetSchema = z.object({
  chatId: z.number().int(),
  /** The user's message with the image: the result replies to it. */
  userMessageId: z.number().int(),
  /** The bot's "Queued…" message, edited as the request moves. */
  statusMessageId: z.number().int(),
  /** The user sent a file: the result goes back as a file (full resolution, not recompressed). */
  asDocument: z.boolean(),
});
export type TelegramTarget = z.infer<typeof telegramTargetSchema>;

/** An admin's training notice: the message that is edited with the run's progress. */
export const telegramNoticeSchema = z.object({
  chatId: z.number().int(),
  messageId: z.number().int(),
});
export type TelegramNotice = z.infer<typeof telegramNoticeSchema>;
