import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { IncomingImage } from '../core/image-intake.js';
import { describeError } from './telegram-errors.js';

/** The image of a message as Telegram describes it, before any download. */
export interface MessageImage {
  fileId: string;
  fileSize?: number | undefined;
  mimeType?: string | undefined;
  /** Sent as a file (document) rather than as a compressed photo. */
  asDocument: boolean;
}

/**
 * A photo (its largest size) or a document of a message; undefined when it has neither. A
 * GIF arrives as an animation, which Telegram usually turns into an MP4: its still
 * thumbnail (the first frame) is the image then, the GIF itself when Telegram kept it.
 */
export function imageOfMessage(message: Message): MessageImage | undefined {
  const largest = message.photo?.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  if (largest) return { fileId: largest.file_id, fileSize: largest.file_size, asDocument: false };
  const animation = message.animation;
  const still = animation?.mime_type === 'image/gif' ? undefined : animation?.thumbnail;
  if (still) return { fileId: still.file_id, fileSize: still.file_size, asDocument: false };
  const doc = message.document;
  if (doc) {
    return { fileId: doc.file_id, fileSize: doc.file_size, mimeType: doc.mime_type, asDocument: true };
  }
  return undefined;
}

/**
 * Downloads files the way the Bot API serves them: getFile gives a path, the bytes are at
 * `<api root>/file/bot<token>/<path>`. That URL holds the token, so it never reaches a log
 * or an error message. A self-hosted Bot API server in --local mode answers with an
 * absolute path on a shared disk instead, which is read directly.
 */
export class TelegramFiles {
  constructor(
    private readonly api: Api,
    private readonly apiRoot: string,
    private readonly token: string,
    private readonly logger: Logger,
  ) {}

  incoming(image: MessageImage): IncomingImage {
    return {
      declaredBytes: image.fileSize,
      declaredType: image.mimeType,
      download: () => this.download(image.fileId),
    };
  }

  private async download(fileId: string): Promise<Buffer> {
    try {
      const file = await this.api.getFile(fileId);
      if (!file.file_path) throw UserError.downloadFailed();
      if (path.isAbsolute(file.file_path)) return await readFile(file.file_path);
      const response = await fetch(`${this.apiRoot}/file/bot${this.token}/${file.file_path}`);
      if (!response.ok) throw new Error(`file download answered HTTP ${response.status}`);
      return Buffer.from(await response.arrayBuffer());
    } catch (err) {
      if (err instanceof UserError) throw err;
      this.logger.warn({ fileId, reason: describeError(err) }, 'downloading a file from Telegram failed');
      throw UserError.downloadFailed(err);
    }
  }
}
