import { GrammyError } from 'grammy';
import { redactSecrets } from '../../shared/logger.js';

/** Telegram's answer to an edit that changes nothing; the message already says it. */
export function isNotModified(err: unknown): boolean {
  return err instanceof GrammyError && err.error_code === 400 && /message is not modified/i.test(err.description);
}

/**
 * Errors that no retry can fix: the chat is gone, the bot was blocked or removed, the
 * request is malformed (400, 403). Rate limits and server errors are retried by auto-retry.
 */
export function isPermanent(err: unknown): boolean {
  return err instanceof GrammyError && (err.error_code === 400 || err.error_code === 403);
}

/** An error as one line for logs, with the bot token scrubbed (file URLs contain it). */
export function describeError(err: unknown): string {
  return redactSecrets(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}
