import type { UserError } from '../../shared/errors.js';
import type { TranslateResult } from '../../shared/queue/contracts.js';
import { doneText, failedText, resultCaption } from './messages.js';
import type { Answer } from './platform-adapter.js';
import { resultButtons, type ActionButton } from './request-actions.js';

export function resultAnswer(requestId: string, result: TranslateResult, image: Buffer, installedStyles: readonly string[]): Answer {
  return {
    kind: 'result',
    image,
    result,
    statusText: doneText(result),
    caption: resultCaption(result),
    buttons: resultButtons(requestId, result.style, installedStyles),
  };
}

/** A failure offers "retry" only when the same input may well work a second time (UserError.retryable). */
export function failureAnswer(requestId: string, error: UserError): Answer {
  const buttons: ActionButton[] = error.retryable ? [{ label: '↻ Retry', action: { type: 'retry', requestId } }] : [];
  return { kind: 'failure', error, statusText: error.code === 'cancelled' ? error.message : failedText(error.message), buttons };
}
