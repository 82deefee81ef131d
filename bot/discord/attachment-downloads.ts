import { UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { IncomingImage } from '../core/image-intake.js';
import { describeError } from './discord-errors.js';

/** An image as Discord describes it (an attachment, an embedded image): where it is, and what it says it is. */
export interface RemoteImage {
  url: string;
  size?: number | undefined;
  contentType?: string | undefined;
}

const downloadTimeoutMs = 30_000;

/**
 * Attachments and embedded images for the bot core: their declared size and type are
 * checked by the core before anything is downloaded; the download itself stops at the size
 * limit too, since embedded images declare no size.
 */
export class AttachmentDownloads {
  constructor(
    private readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  incoming(image: RemoteImage): IncomingImage {
    return {
      declaredBytes: image.size,
      declaredType: image.contentType,
      download: () => this.download(image.url),
    };
  }

  private async download(url: string): Promise<Buffer> {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutMs) });
      if (!response.ok || !response.body) throw new Error(`the download answered HTTP ${response.status}`);
      const announced = Number(response.headers.get('content-length') ?? 0);
      if (announced > this.maxBytes) throw UserError.fileTooLarge(announced, this.maxBytes);
      const chunks: Uint8Array[] = [];
      let received = 0;
      for await (const chunk of response.body) {
        received += chunk.length;
        if (received > this.maxBytes) throw UserError.fileTooLarge(received, this.maxBytes);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    } catch (err) {
      if (err instanceof UserError) throw err;
      // Attachment URLs are signed; only the host is logged.
      this.logger.warn({ host: URL.canParse(url) ? new URL(url).host : undefined, reason: describeError(err) }, 'downloading an attachment failed');
      throw UserError.downloadFailed(err);
    }
  }
}
