import { UserError } from '../../shared/errors.js';
import type { BotApiStandIn, StoredMessage } from '../telegram/bot-api-stand-in.js';

/** Why a photo was refused, as the user read it. `error` is the generic apology (not a reason). */
export type RefusalReason = 'rate_limited' | 'too_many_pending' | 'queue_busy' | 'error';

/**
 * What one photo got, read from the chat as its user sees it:
 * - `answered`: it was queued ("Queued — …") and got exactly one answer (the styled photo,
 *   or its status turned into a failure, or a failure reply);
 * - `duplicated`: queued, and more than one answer (or refused more than once);
 * - `lost`: queued and never answered, or never replied to at all;
 * - `refused`: not queued, and a reply said why.
 */
export type PhotoFate =
  /** `reannounced`: it was announced twice ("Queued — …" again after a bot restart); one of them stays. */
  | { kind: 'answered'; failure?: string; reannounced: boolean }
  | { kind: 'duplicated'; answers: string[] }
  | { kind: 'lost'; accepted: boolean }
  | { kind: 'refused'; reason: RefusalReason; text: string };

const queuedPrefix = 'Queued — ';
const isFailureText = (text: string) => text.startsWith('Failed — ') || text.startsWith('Cancelled');

/** The refusal texts of the bot's limits, with the parts that vary cut off. */
function refusalReason(text: string, maxPending: number): RefusalReason {
  const rateLimited = UserError.rateLimited(1, 1, 1).message.slice(0, 'You can send'.length);
  if (text.startsWith(rateLimited)) return 'rate_limited';
  if (text === UserError.tooManyPending(maxPending).message) return 'too_many_pending';
  if (text === UserError.queueBusy().message) return 'queue_busy';
  return 'error';
}

/** Reads the fate of `photo` (a user's message) from the stand-in's chat. */
export function photoFate(standIn: BotApiStandIn, photo: StoredMessage, maxPending: number): PhotoFate {
  const replies = standIn.chatMessages(photo.json.chat.id, { fromBot: true }).filter((m) => m.replyTo === photo.json.message_id);
  const statuses = replies.filter((m) => m.texts[0]?.startsWith(queuedPrefix));
  // A photo with no status message was still accepted if its result came (the status is deleted then only).
  const accepted = statuses.length > 0 || replies.some((m) => m.upload);
  const answers: string[] = [];
  // Each answer with the seconds it came after the photo (Telegram's message dates), so that a duplicate shows its timing.
  const after = (m: StoredMessage) => ` (+${Number(m.json.date) - Number(photo.json.date)} s)`;
  for (const reply of replies) {
    if (reply.upload) answers.push(`photo${after(reply)}`);
    else if (statuses.includes(reply)) {
      const failure = reply.texts.slice(1).find(isFailureText);
      if (failure) answers.push(failure);
    } else if (accepted) answers.push(`${reply.texts[0] ?? '(empty reply)'}${after(reply)}`);
  }
  if (accepted) {
    if (answers.length === 0) return { kind: 'lost', accepted: true };
    if (answers.length > 1) return { kind: 'duplicated', answers };
    const reannounced = statuses.length > 1;
    return answers[0]!.startsWith('photo') ? { kind: 'answered', reannounced } : { kind: 'answered', failure: answers[0]!, reannounced };
  }
  const refusal = replies[0]?.texts[0];
  if (refusal === undefined) return { kind: 'lost', accepted: false };
  if (replies.length > 1) return { kind: 'duplicated', answers: replies.map((m) => m.texts[0] ?? '') };
  return { kind: 'refused', reason: refusalReason(refusal, maxPending), text: refusal };
}
