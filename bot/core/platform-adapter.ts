import type { z } from 'zod';
import type { UserError } from '../../shared/errors.js';
import type { Platform, TranslateProgress, TranslateResult } from '../../shared/queue/contracts.js';
import type { ActionButton } from './request-actions.js';

/** The one answer a translation request gets. Texts are written by the core; the adapter renders them. */
export type Answer =
  | {
      kind: 'result';
      /** The styled image (PNG unless the request asked otherwise). */
      image: Buffer;
      result: TranslateResult;
      /** The final text of the request's status message. */
      statusText: string;
      /** Shown with the image. */
      caption: string;
      buttons: ActionButton[];
    }
  | { kind: 'failure'; error: UserError; statusText: string; buttons: ActionButton[] };

export interface ProgressUpdate {
  text: string;
  /** Undefined while the request waits (its place in the queue moved). */
  progress?: TranslateProgress;
}

/**
 * What a chat platform does for the bot core. `T` is where a translation request is answered
 * (a chat and messages, an interaction…) and `N` where an admin's training run reports; both
 * travel through Redis as job data, so the adapter brings schemas to read them back.
 *
 * Methods may be called from any bot instance, long after the request arrived (the bot may
 * have restarted in between): everything they need is in the target.
 */
export interface PlatformAdapter<T, N> {
  readonly platform: Platform;
  readonly targetSchema: z.ZodType<T>;
  readonly noticeTargetSchema: z.ZodType<N>;
  /** Shortest time between two progress edits of one message (platform rate limits). */
  readonly progressIntervalMs: number;

  /**
   * Sends the answer. Throw UndeliverableError when retrying cannot help (the chat is gone,
   * the bot was blocked); any other error is retried.
   */
  deliver(target: T, answer: Answer): Promise<void>;
  /** Shows a waiting request's place or a running request's progress (edits its status message). Failures are the adapter's to swallow. */
  showProgress(target: T, update: ProgressUpdate): Promise<void>;
  /**
   * For platforms whose "working on it" indicator fades (Telegram's chat actions last 5 s):
   * called every `activityIntervalMs` while a request runs.
   */
  showActivity?(target: T): Promise<void>;
  readonly activityIntervalMs?: number;
  /** Replaces the text of an admin's training notice. */
  editNotice(target: N, text: string): Promise<void>;
  /** Posts an image (a training run's summary) with a caption where the notice is. */
  postNoticeImage(target: N, caption: string, image: Buffer): Promise<void>;
}

/** Thrown by adapters when an answer can never be delivered; the delivery is not retried. */
export class UndeliverableError extends Error {
  override readonly name = 'UndeliverableError';
}
