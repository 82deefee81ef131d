import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sharp } from '../../shared/image/sharp.js';
import { parseMultipart } from './multipart.js';

/**
 * A local stand-in for the Telegram Bot API: the methods the bot uses, over HTTP, with the
 * real request and response shapes (JSON or multipart in, `{ok, result}` out), long-polling
 * getUpdates with offsets, and the file download path. Tests inject what users do (messages
 * with photos, documents and commands, button presses) and read what the bot did.
 */

export interface TelegramUser {
  id: number;
  first_name: string;
}

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

/** A message as the stand-in keeps it: the Bot API object, plus uploaded bytes and edit history. */
export interface StoredMessage {
  json: Record<string, unknown> & { message_id: number; chat: { id: number; type: string; first_name?: string } };
  fromBot: boolean;
  text?: string;
  caption?: string;
  replyTo?: number;
  /** Callback data of the inline keyboard, row by row flattened. */
  buttons: { text: string; data: string }[];
  /** The uploaded file of sendPhoto/sendDocument, byte for byte. */
  upload?: { kind: 'photo' | 'document'; bytes: Buffer; filename?: string };
  /** Every text the message had, in order (the first is the original). */
  texts: string[];
  /** The bot deleted it (it stays here, with its history, for tests to read). */
  deleted?: boolean;
}

interface StoredFile {
  bytes: Buffer;
  declaredSize: number;
  path: string;
  uniqueId: string;
}

interface Poll {
  offset: number;
  limit: number;
  resolve: (updates: unknown[]) => void;
  timer: NodeJS.Timeout;
}

export interface PhotoSize {
  bytes: Buffer;
  width: number;
  height: number;
  /** What Telegram declares as file_size; defaults to the real size. */
  declaredSize?: number;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export class BotApiStandIn {
  readonly calls: ApiCall[] = [];
  /** File paths downloaded through /file/bot<token>/<path>. */
  readonly downloads: string[] = [];
  readonly bot = { id: 777000111, is_bot: true, first_name: 'Anime Test Bot', username: 'anime_test_bot' };

  private readonly updates: { update_id: number }[] = [];
  private nextUpdateId = 1;
  private readonly polls: Poll[] = [];
  private readonly messages = new Map<string, StoredMessage>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, string>();
  private callbackQueries = 0;
  /** While set, file downloads wait for it (holdDownloads). */
  private downloadsHeld: Promise<void> | undefined;
  private server!: http.Server;
  private port = 0;

  private constructor(
    readonly token: string,
    /** Longest time a getUpdates call is held, whatever timeout it asks for (keeps tests and shutdowns quick). */
    private readonly maxPollMs: number,
  ) {}

  static async start(options: { token?: string; maxPollMs?: number } = {}): Promise<BotApiStandIn> {
    const standIn = new BotApiStandIn(options.token ?? `123456789:${randomBytes(18).toString('base64url')}`, options.maxPollMs ?? 500);
    standIn.server = http.createServer((req, res) => void standIn.handle(req, res));
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    standIn.port = (standIn.server.address() as AddressInfo).port;
    return standIn;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const poll of this.polls.splice(0)) {
      clearTimeout(poll.timer);
      poll.resolve([]);
    }
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // What users do.

  /** A user sends a photo (Telegram's sizes of it, smallest first) with an optional caption. */
  sendPhoto(user: TelegramUser, sizes: PhotoSize[], caption?: string): StoredMessage {
    const photo = sizes.map((size) => {
      const file = this.addFile(size.bytes, 'photos', size.declaredSize);
      return { file_id: file.fileId, file_unique_id: file.uniqueId, width: size.width, height: size.height, file_size: file.declaredSize };
    });
    return this.userMessage(user, { photo, ...captionFields(caption) });
  }

  /** A user sends a file (document). */
  sendDocument(user: TelegramUser, bytes: Buffer, options: { fileName: string; mimeType?: string; declaredSize?: number; caption?: string }): StoredMessage {
    const file = this.addFile(bytes, 'documents', options.declaredSize);
    const document = {
      file_id: file.fileId,
      file_unique_id: file.uniqueId,
      file_name: options.fileName,
      file_size: file.declaredSize,
      ...(options.mimeType ? { mime_type: options.mimeType } : {}),
    };
    return this.userMessage(user, { document, ...captionFields(options.caption) });
  }

  /** A user sends a sticker, a video, a voice message (with placeholder bytes: the bot is not meant to download them). */
  sendMedia(user: TelegramUser, kind: 'sticker' | 'video' | 'voice'): StoredMessage {
    const file = this.addFile(Buffer.from(`${kind} bytes`), 'media');
    const base = { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.declaredSize };
    const media = {
      sticker: { ...base, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
      video: { ...base, width: 320, height: 240, duration: 3, mime_type: 'video/mp4' },
      voice: { ...base, duration: 2, mime_type: 'audio/ogg' },
    }[kind];
    return this.userMessage(user, { [kind]: media });
  }

  /**
   * A user sends a GIF: Telegram turns it into an MP4 animation (set as document too, for
   * older clients) with a still JPEG thumbnail of its first frame.
   */
  sendAnimation(user: TelegramUser, mp4: Buffer, firstFrame: PhotoSize, caption?: string): StoredMessage {
    const video = this.addFile(mp4, 'animations');
    const still = this.addFile(firstFrame.bytes, 'thumbnails', firstFrame.declaredSize);
    const thumbnail = { file_id: still.fileId, file_unique_id: still.uniqueId, width: firstFrame.width, height: firstFrame.height, file_size: still.declaredSize };
    const file = { file_id: video.fileId, file_unique_id: video.uniqueId, file_name: 'animation.gif.mp4', mime_type: 'video/mp4', file_size: video.declaredSize, thumbnail };
    return this.userMessage(user, { animation: { ...file, width: firstFrame.width, height: firstFrame.height, duration: 1 }, document: file, ...captionFields(caption) });
  }

  /** A user sends text; a leading /command gets its bot_command entity, as Telegram adds it. */
  sendText(user: TelegramUser, text: string, options: { replyTo?: StoredMessage } = {}): StoredMessage {
    const json = this.textMessageJson(user, text, options.replyTo ? { reply_to_message: options.replyTo.json } : {});
    const stored = this.store(json, false);
    this.pushUpdate({ message: json });
    return stored;
  }

  /**
   * The update Telegram would POST to a webhook for a text message (stored like any
   * message, but not queued for getUpdates).
   */
  webhookUpdate(user: TelegramUser, text: string): { update_id: number; message: StoredMessage['json'] } {
    const json = this.textMessageJson(user, text, {});
    this.store(json, false);
    return { update_id: this.nextUpdateId++, message: json };
  }

  /** A user presses an inline button of a bot message; returns the callback query id. */
  pressButton(user: TelegramUser, message: StoredMessage, data: string): string {
    const id = `${++this.callbackQueries}${Date.now()}`;
    this.pushUpdate({
      callback_query: { id, from: userJson(user), message: message.json, chat_instance: `ci-${user.id}`, data },
    });
    return id;
  }

  /** Makes file downloads wait until the returned function is called (a bot caught mid-download). */
  holdDownloads(): () => void {
    let release!: () => void;
    this.downloadsHeld = new Promise((resolve) => (release = resolve));
    return () => {
      this.downloadsHeld = undefined;
      release();
    };
  }

  // What the bot did.

  /** Messages in a chat, in order, optionally only the bot's. */
  chatMessages(chatId: number, options: { fromBot?: boolean } = {}): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.json.chat.id === chatId && (options.fromBot === undefined || m.fromBot === options.fromBot));
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Whether the bot asked for the file (getFile) or downloaded it. */
  fileTouched(fileId: string): boolean {
    const file = this.files.get(fileId);
    return this.callsOf('getFile').some((c) => c.params.file_id === fileId) || (file !== undefined && this.downloads.includes(file.path));
  }

  /** Polls `probe` until it returns something (not undefined/false), or fails after `timeoutMs`. */
  async waitFor<T>(description: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) {
        const recent = this.calls.slice(-15).map((c) => `${c.method} ${JSON.stringify(c.params).slice(0, 160)}`);
        throw new Error(`timed out waiting for ${description}; last API calls:\n${recent.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // Internals.

  private addFile(bytes: Buffer, folder: string, declaredSize?: number): { fileId: string; uniqueId: string; declaredSize: number } {
    const fileId = `file-${randomBytes(8).toString('hex')}`;
    const uniqueId = randomBytes(6).toString('hex');
    const path = `${folder}/file_${this.files.size}.bin`;
    const stored = { bytes, declaredSize: declaredSize ?? bytes.length, path, uniqueId };
    this.files.set(fileId, stored);
    this.filesByPath.set(path, fileId);
    return { fileId, uniqueId, declaredSize: stored.declaredSize };
  }

  private userMessage(user: TelegramUser, fields: Record<string, unknown>): StoredMessage {
    const stored = this.store(this.userMessageJson(user, fields), false);
    this.pushUpdate({ message: stored.json });
    return stored;
  }

  private userMessageJson(user: TelegramUser, fields: Record<string, unknown>): StoredMessage['json'] {
    return { message_id: this.newMessageId(user.id), date: now(), chat: { id: user.id, type: 'private', first_name: user.first_name }, from: userJson(user), ...fields };
  }

  /** A text message; a leading /command gets its bot_command entity, as Telegram adds it. */
  private textMessageJson(user: TelegramUser, text: string, fields: Record<string, unknown>): StoredMessage['json'] {
    const command = /^\/\S+/.exec(text)?.[0];
    return this.userMessageJson(user, { text, ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}), ...fields });
  }

  private store(json: StoredMessage['json'], fromBot: boolean, upload?: StoredMessage['upload']): StoredMessage {
    const text = typeof json.text === 'string' ? json.text : undefined;
    const caption = typeof json.caption === 'string' ? json.caption : undefined;
    const reply = json.reply_to_message as { message_id?: number } | undefined;
    const stored: StoredMessage = {
      json,
      fromBot,
      ...(text !== undefined ? { text } : {}),
      ...(caption !== undefined ? { caption } : {}),
      ...(reply?.message_id !== undefined ? { replyTo: reply.message_id } : {}),
      buttons: buttonsOf(json.reply_markup),
      ...(upload ? { upload } : {}),
      texts: text !== undefined ? [text] : [],
    };
    this.messages.set(`${json.chat.id}:${json.message_id}`, stored);
    return stored;
  }

  private newMessageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  private pushUpdate(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const poll of this.polls.splice(0)) {
      clearTimeout(poll.timer);
      poll.resolve(this.pendingUpdates(poll.offset, poll.limit));
    }
  }

  /** Updates from `offset` on; like Telegram, an offset confirms (drops) every earlier update. */
  private pendingUpdates(offset: number, limit: number): unknown[] {
    if (offset > 0) {
      while (this.updates.length && this.updates[0]!.update_id < offset) this.updates.shift();
    }
    return this.updates.slice(0, limit);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.apiRoot);
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && fileMatch) {
      await this.downloadsHeld;
      const fileId = fileMatch[1] === this.token ? this.filesByPath.get(fileMatch[2]!) : undefined;
      const file = fileId ? this.files.get(fileId) : undefined;
      if (!file) {
        res.writeHead(404).end('Not Found');
        return;
      }
      this.downloads.push(file.path);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length }).end(file.bytes);
      return;
    }
    const methodMatch = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    try {
      if (!methodMatch) throw new ApiError(404, 'Not Found');
      if (methodMatch[1] !== this.token) throw new ApiError(401, 'Unauthorized');
      const { params, files } = await readParams(req);
      const method = methodMatch[2]!;
      this.calls.push({ method, params, at: Date.now() });
      const result = await this.call(method, params, files);
      send(res, 200, { ok: true, result });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${(err as Error).message}`);
      send(res, error.code, { ok: false, error_code: error.code, description: error.description });
    }
  }

  private async call(method: string, p: Record<string, unknown>, files: Map<string, { bytes: Buffer; filename?: string }>): Promise<unknown> {
    switch (method) {
      case 'getMe':
        return { ...this.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case 'deleteWebhook':
      case 'setWebhook':
      case 'setMyCommands':
      case 'sendChatAction':
        return true;
      case 'answerCallbackQuery':
        return true;
      case 'getUpdates':
        return this.getUpdates(p);
      case 'sendMessage': {
        const chatId = Number(p.chat_id);
        const json = this.botMessageJson(chatId, p, { text: String(p.text) });
        return this.store(json, true).json;
      }
      case 'editMessageText':
        return this.editMessageText(p);
      case 'deleteMessage': {
        const key = `${Number(p.chat_id)}:${Number(p.message_id)}`;
        const stored = this.messages.get(key);
        if (!stored?.fromBot) throw new ApiError(400, 'Bad Request: message to delete not found');
        stored.deleted = true;
        return true;
      }
      case 'sendPhoto':
      case 'sendDocument': {
        const kind = method === 'sendPhoto' ? 'photo' : 'document';
        const upload = fileParam(p[kind], files);
        const chatId = Number(p.chat_id);
        const file = this.addFile(upload.bytes, kind === 'photo' ? 'photos' : 'documents');
        const media =
          kind === 'photo'
            ? { photo: [await photoSize(file, upload.bytes)] }
            : { document: { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: upload.bytes.length, ...(upload.filename ? { file_name: upload.filename } : {}) } };
        const json = this.botMessageJson(chatId, p, { ...media, ...(typeof p.caption === 'string' ? { caption: p.caption } : {}) });
        return this.store(json, true, { kind, bytes: upload.bytes, ...(upload.filename ? { filename: upload.filename } : {}) }).json;
      }
      case 'getFile': {
        const fileId = String(p.file_id);
        const file = this.files.get(fileId);
        if (!file) throw new ApiError(400, 'Bad Request: invalid file_id');
        if (file.declaredSize > 20 * 1024 * 1024) throw new ApiError(400, 'Bad Request: file is too big');
        return { file_id: fileId, file_unique_id: file.uniqueId, file_size: file.declaredSize, file_path: file.path };
      }
      default:
        throw new ApiError(404, `Not Found: method ${method} is not implemented by the stand-in`);
    }
  }

  private getUpdates(p: Record<string, unknown>): Promise<unknown[]> | unknown[] {
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Number(p.limit ?? 100));
    const available = this.pendingUpdates(offset, limit);
    const timeoutMs = Math.min(Number(p.timeout ?? 0) * 1000, this.maxPollMs);
    if (available.length || timeoutMs <= 0) return available;
    return new Promise((resolve) => {
      const poll: Poll = {
        offset,
        limit,
        resolve,
        timer: setTimeout(() => {
          this.polls.splice(this.polls.indexOf(poll), 1);
          resolve([]);
        }, timeoutMs),
      };
      this.polls.push(poll);
    });
  }

  private editMessageText(p: Record<string, unknown>): unknown {
    const stored = this.messages.get(`${Number(p.chat_id)}:${Number(p.message_id)}`);
    if (!stored || !stored.fromBot || stored.text === undefined) throw new ApiError(400, 'Bad Request: message to edit not found');
    const text = String(p.text);
    const buttons = buttonsOf(p.reply_markup);
    if (text === stored.text && JSON.stringify(buttons) === JSON.stringify(stored.buttons)) {
      throw new ApiError(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    stored.text = text;
    stored.texts.push(text);
    stored.buttons = buttons;
    stored.json = { ...stored.json, text, edit_date: now(), ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}) };
    return stored.json;
  }

  private botMessageJson(chatId: number, p: Record<string, unknown>, content: Record<string, unknown>): StoredMessage['json'] {
    if (!Number.isFinite(chatId)) throw new ApiError(400, 'Bad Request: chat not found');
    const replyId = (p.reply_parameters as { message_id?: number } | undefined)?.message_id;
    const replied = replyId !== undefined ? this.messages.get(`${chatId}:${replyId}`) : undefined;
    return {
      message_id: this.newMessageId(chatId),
      date: now(),
      chat: { id: chatId, type: 'private' },
      from: this.bot,
      ...content,
      ...(replied ? { reply_to_message: replied.json } : {}),
      ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
    };
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function userJson(user: TelegramUser) {
  return { id: user.id, is_bot: false, first_name: user.first_name };
}

function captionFields(caption: string | undefined) {
  if (!caption) return {};
  const command = /^\/\S+/.exec(caption)?.[0];
  return { caption, ...(command ? { caption_entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}) };
}

function buttonsOf(markup: unknown): { text: string; data: string }[] {
  const rows = (markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().flatMap((b) => (b.callback_data === undefined ? [] : [{ text: b.text, data: b.callback_data }]));
}

async function photoSize(file: { fileId: string; uniqueId: string }, bytes: Buffer) {
  const { width, height } = await sharp(bytes).metadata();
  return { file_id: file.fileId, file_unique_id: file.uniqueId, width, height, file_size: bytes.length };
}

/** An InputFile parameter: `attach://<name>` pointing at a multipart file part. */
function fileParam(value: unknown, files: Map<string, { bytes: Buffer; filename?: string }>): { bytes: Buffer; filename?: string } {
  const name = typeof value === 'string' && value.startsWith('attach://') ? value.slice('attach://'.length) : undefined;
  const file = name === undefined ? undefined : files.get(name);
  if (!file) throw new ApiError(400, 'Bad Request: there is no file in the request');
  return file;
}

/** Method parameters from a JSON, urlencoded or multipart body (multipart values that are JSON are parsed, as Telegram does). */
async function readParams(req: http.IncomingMessage): Promise<{ params: Record<string, unknown>; files: Map<string, { bytes: Buffer; filename?: string }> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  const files = new Map<string, { bytes: Buffer; filename?: string }>();
  if (!body.length) return { params: {}, files };
  if (type.startsWith('application/json')) return { params: JSON.parse(body.toString('utf8')) as Record<string, unknown>, files };
  if (type.startsWith('multipart/form-data')) {
    const params: Record<string, unknown> = {};
    for (const part of parseMultipart(body, type)) {
      if (part.filename !== undefined) {
        files.set(part.name, { bytes: part.data, filename: part.filename });
        continue;
      }
      const text = part.data.toString('utf8');
      params[part.name] = /^[[{]/.test(text) ? JSON.parse(text) : text;
    }
    return { params, files };
  }
  return { params: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), files };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
