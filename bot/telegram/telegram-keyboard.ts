import { InlineKeyboard } from 'grammy';
import { encodeAction, type ActionButton } from '../core/request-actions.js';

/** Telegram's limit on callback data. */
const maxCallbackBytes = 64;
const buttonsPerRow = 3;

/** The core's buttons as an inline keyboard (undefined when there are none). */
export function inlineKeyboard(buttons: readonly ActionButton[]): InlineKeyboard | undefined {
  const usable = buttons.map((b) => ({ label: b.label, data: encodeAction(b.action) })).filter((b) => Buffer.byteLength(b.data) <= maxCallbackBytes);
  if (!usable.length) return undefined;
  const keyboard = new InlineKeyboard();
  usable.forEach((b, i) => {
    if (i > 0 && i % buttonsPerRow === 0) keyboard.row();
    keyboard.text(b.label, b.data);
  });
  return keyboard;
}
