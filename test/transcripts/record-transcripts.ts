/**
 * Writes docs/transcripts.md: one Telegram and one Discord session, played against the
 * end-to-end test harnesses (the Bot API and Discord stand-ins, a real Redis, a real worker
 * with the tiny test models), with every message the user sees as the stand-ins recorded
 * it: each text a message had, in order, what was deleted, what only the user could see.
 *
 *   npm run transcripts
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiscordHarness } from '../discord/discord-harness.js';
import { startDiscordHarness } from '../discord/discord-harness.js';
import type { DiscordUser, StoredInteraction, StoredMessage as DiscordMessage } from '../discord/discord-stand-in.js';
import { makePhoto, textFile } from '../helpers/images.js';
import { sleep } from '../helpers/wait-for.js';
import type { StoredMessage as TelegramMessage, TelegramUser } from '../telegram/bot-api-stand-in.js';
import { adminUser, startTelegramHarness, type TelegramHarness } from '../telegram/telegram-harness.js';

const output = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'transcripts.md');
/** A step is over once the bot has made no API call for this long. */
const quietMs = 1500;

const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

/** Waits until the bot has been quiet (no calls but polling and chat actions) for `quietMs`. */
async function settle(calls: () => { at: number; method: string; route?: string }[]): Promise<void> {
  for (;;) {
    await sleep(200);
    const last = calls()
      .filter((c) => c.method !== 'getUpdates' && c.method !== 'sendChatAction' && !(c.method === 'GET' && c.route === '/gateway/bot'))
      .at(-1);
    if (!last || Date.now() - last.at > quietMs) return;
  }
}

async function telegramSession(): Promise<string> {
  const h: TelegramHarness = await startTelegramHarness();
  const user: TelegramUser = { id: 7001, first_name: 'Mia' };
  const lines: string[] = [];
  const seen = new Set<TelegramMessage>();
  try {
    await h.startWorker();
    await h.startBot();
    const render = (chatId: number, toast?: string) => {
      if (toast) lines.push(`*(the button answers with a notice: “${toast}”)*`, '');
      for (const m of h.standIn.chatMessages(chatId)) {
        if (seen.has(m)) continue;
        seen.add(m);
        if (!m.fromBot) {
          const what = m.json.photo
            ? '[a photo]'
            : m.json.animation
              ? '[a GIF]'
              : m.json.sticker
                ? '[a sticker]'
                : m.json.document
                  ? `[a file: ${(m.json.document as { file_name?: string }).file_name}]`
                  : '';
          lines.push(`**${m.json.chat.first_name ?? 'User'}:** ${[what, m.text ?? m.caption ?? ''].filter(Boolean).join(' ')}`, '');
          continue;
        }
        const media = m.upload ? `[${m.upload.kind === 'photo' ? 'photo' : 'file'}${m.caption ? `, caption “${m.caption}”` : ''}]` : undefined;
        lines.push('**Bot:**', '');
        if (media) lines.push(quote(media), '');
        m.texts.forEach((text, i) => lines.push(i === 0 ? quote(text) : `*edited to:*\n\n${quote(text)}`, ''));
        if (m.buttons.length) lines.push(`*buttons:* ${m.buttons.map((b) => `[${b.text}]`).join(' ')}`, '');
        if (m.deleted) lines.push('*deleted by the bot once the result was sent*', '');
      }
    };
    const step = async (act: () => unknown, chatId = user.id) => {
      await act();
      await settle(() => h.standIn.calls);
      render(chatId);
    };
    const photo = (caption?: string) => async () => h.standIn.sendPhoto(user, [{ bytes: await makePhoto(96, 64), width: 96, height: 64 }], caption);

    await step(() => h.standIn.sendText(user, '/start'));
    await step(() => h.standIn.sendText(user, '/help'));
    await step(photo('Make it toon please'));
    const result = h.standIn.chatMessages(user.id, { fromBot: true }).findLast((m) => m.upload)!;
    const pressed = h.standIn.pressButton(user, result, result.buttons[0]!.data);
    lines.push(`**${user.first_name}:** *presses [${result.buttons[0]!.text}] under the result*`, '');
    await settle(() => h.standIn.calls);
    render(user.id, h.standIn.callsOf('answerCallbackQuery').find((c) => c.params.callback_query_id === pressed)?.params.text as string | undefined);
    await step(photo('anime please'));
    await step(photo('my cat on holiday'));
    await step(() => h.standIn.sendDocument(user, textFile(), { fileName: 'notes.txt', mimeType: 'text/plain' }));
    await step(() => h.standIn.sendMedia(user, 'sticker'));
    await step(() => h.standIn.sendText(user, '/frobnicate'));
    await step(() => h.standIn.sendText(user, '/styles'));
    lines.push('*An admin, with no trainer running:*', '');
    await step(() => h.standIn.sendText(adminUser, '/retrain nope'), adminUser.id);
    await step(() => h.standIn.sendText(adminUser, '/retrain toon'), adminUser.id);
  } finally {
    await h.close();
  }
  return lines.join('\n');
}

async function discordSession(): Promise<string> {
  const h: DiscordHarness = await startDiscordHarness();
  const user: DiscordUser = { id: '330000000000000001', username: 'mia' };
  const other: DiscordUser = { id: '330000000000000002', username: 'noah' };
  const lines: string[] = [];
  const seen = new Set<DiscordMessage>();
  try {
    await h.startWorker();
    await h.startBot();
    const render = (interaction: StoredInteraction, action: string) => {
      lines.push(`**${interaction.user.username}:** ${action}`, '');
      for (const m of [interaction.original, ...interaction.followups]) {
        if (!m || seen.has(m)) continue;
        seen.add(m);
        const who = m.flags & 64 ? '**Bot** *(only you can see this)*:' : '**Bot** *(everyone in the channel sees this)*:';
        lines.push(who, '');
        if (!m.contents.length) lines.push(quote('Anime Test is thinking…'), '');
        m.contents.forEach((text, i) => lines.push(i === 0 ? quote(text) : `*edited to:*\n\n${quote(text)}`, ''));
        if (m.attachments.length) lines.push(quote(`[image: ${m.attachments.map((a) => a.filename).join(', ')}]`), '');
        if (m.buttons.length) lines.push(`*buttons:* ${m.buttons.map((b) => `[${b.label}]`).join(' ')}`, '');
        if (m.deleted) lines.push('*deleted by the bot once the request was posted for the channel*', '');
      }
    };
    const step = async (action: string, act: () => StoredInteraction | Promise<StoredInteraction>) => {
      const interaction = await act();
      await settle(() => h.standIn.calls);
      render(interaction, action);
      return interaction;
    };
    const photo = async () => ({ bytes: await makePhoto(96, 64), filename: 'cat.jpg', contentType: 'image/jpeg', width: 96, height: 64 });

    await step('/help', () => h.standIn.slashCommand(user, 'help', []));
    const first = await step('/anime image:cat.jpg style:Cartoon', async () => h.standIn.anime(user, await photo(), { style: 'Cartoon' }));
    const result = h.standIn.replyOf(first)!;
    await step(`*(another user presses [${result.buttons[0]!.label}] under the result)*`, () => h.standIn.pressButton(other, result, result.buttons[0]!.customId));
    await step(`*presses [${result.buttons[0]!.label}] under the result*`, () => h.standIn.pressButton(user, result, result.buttons[0]!.customId));
    await step('/anime image:cat.jpg style:anime', async () => h.standIn.anime(user, await photo(), { style: 'anime' }));
    await step('/anime image:notes.txt', () => h.standIn.anime(user, { bytes: textFile(), filename: 'notes.txt', contentType: 'text/plain' }));
    await step('/anime image:cat.jpg private:True', async () => h.standIn.anime(user, await photo(), { private: true }));
    await step('/status', () => h.standIn.slashCommand(user, 'status', []));
  } finally {
    await h.close();
  }
  return lines.join('\n');
}

const [telegram, discord] = [await telegramSession(), await discordSession()];
await writeFile(
  output,
  [
    '# What users see: a Telegram and a Discord session',
    '',
    'Recorded, not written by hand: `npm run transcripts` (test/transcripts/record-transcripts.ts) plays these',
    'sessions against the end-to-end test harnesses — the Bot API and Discord stand-ins, a real Redis, a real',
    'translate worker with the tiny test models (so the pictures are not worth looking at, and timings are',
    'those of a test run) — and writes every message the user sees as the stand-ins recorded it: each text a',
    'message had, in order, which messages the bot deleted, and on Discord which only the user could see.',
    'Run it again after changing what the bots say.',
    '',
    '## Telegram',
    '',
    telegram,
    '## Discord',
    '',
    discord,
  ].join('\n'),
);
console.log(`wrote ${output}`);
