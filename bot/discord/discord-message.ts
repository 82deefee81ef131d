import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithCustomId, type RawFile, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Answer } from '../core/platform-adapter.js';
import { encodeAction, type ActionButton } from '../core/request-actions.js';

/** Discord's limits on messages and buttons. */
const limits = { content: 2000, customId: 100, label: 80, buttonsPerRow: 5, rows: 5 };

/** A message the bot sends or edits, before it becomes a REST request. */
export interface OutgoingMessage {
  content: string;
  /** Buttons under the message; unset leaves an edited message's buttons as they are. */
  buttons?: readonly ActionButton[];
  file?: { name: string; data: Buffer; contentType: string; description: string };
}

export function textMessage(content: string): OutgoingMessage {
  return { content };
}

/** The core's answer as one message: the status text and, for a result, the image with the style buttons. */
export function answerMessage(answer: Answer): OutgoingMessage {
  if (answer.kind === 'failure') return { content: answer.statusText, buttons: answer.buttons };
  const { result } = answer;
  return {
    // The status names the style already, unless the caption says it is a stand-in for another one.
    content: answer.statusText.includes(answer.caption) ? answer.statusText : `${answer.statusText}\n${answer.caption}`,
    buttons: answer.buttons,
    file: { name: `${result.style}.${result.format}`, data: answer.image, contentType: `image/${result.format}`, description: answer.caption },
  };
}

/** Text cut to what a message holds. */
export function fitContent(text: string): string {
  return text.length > limits.content ? `${text.slice(0, limits.content - 1)}…` : text;
}

/** Buttons as action rows (at most 25; payloads too long for a custom id are left out). */
export function buttonRows(buttons: readonly ActionButton[]): APIActionRowComponent<APIButtonComponentWithCustomId>[] {
  const usable = buttons
    .map((b): APIButtonComponentWithCustomId => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label: b.label.slice(0, limits.label), custom_id: encodeAction(b.action) }))
    .filter((b) => b.custom_id.length <= limits.customId)
    .slice(0, limits.buttonsPerRow * limits.rows);
  const rows: APIActionRowComponent<APIButtonComponentWithCustomId>[] = [];
  for (let i = 0; i < usable.length; i += limits.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: usable.slice(i, i + limits.buttonsPerRow) });
  }
  return rows;
}

/** The fields of a message body that creating and editing messages (as the bot or through an interaction) share. */
export type MessageBody = Pick<RESTPostAPIChannelMessageJSONBody, 'content' | 'allowed_mentions' | 'components' | 'attachments'>;

/**
 * The REST body and files of a message. `mention` starts the text with a mention of that
 * user (the only mention the message may ping); nobody else is ever pinged.
 */
export function restMessage(message: OutgoingMessage, mention?: string): { body: MessageBody; files: RawFile[] } {
  const { file, buttons } = message;
  return {
    body: {
      content: fitContent(mention ? `<@${mention}> ${message.content}` : message.content),
      allowed_mentions: { parse: [], ...(mention ? { users: [mention] } : {}) },
      ...(buttons ? { components: buttonRows(buttons) } : {}),
      // The attachments a message has after an edit are those listed; "0" is the first uploaded file.
      ...(file ? { attachments: [{ id: '0', filename: file.name, description: file.description }] } : {}),
    },
    files: file ? [{ name: file.name, data: file.data, contentType: file.contentType }] : [],
  };
}
