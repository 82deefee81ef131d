import { EmbedType, type Attachment, type Message } from 'discord.js';
import type { RemoteImage } from './attachment-downloads.js';

export function attachmentImage(attachment: Attachment): RemoteImage {
  return { url: attachment.url, size: attachment.size, contentType: attachment.contentType ?? undefined };
}

/**
 * The image of a message ("Animeify" on it): its first image attachment, else its first
 * embedded image (a posted image link), else its first attachment of any kind, for the core
 * to refuse with the reason; undefined when it has none of these.
 */
export function imageOfMessage(message: Message): RemoteImage | undefined {
  const attachments = [...message.attachments.values()];
  const image = attachments.find((a) => a.contentType?.startsWith('image/'));
  if (image) return attachmentImage(image);
  for (const embed of message.embeds) {
    // A posted image link embeds the image as the thumbnail of an "image" embed.
    const media = embed.image ?? (embed.data.type === EmbedType.Image ? embed.thumbnail : null);
    if (media) return { url: media.proxyURL ?? media.url };
  }
  const first = attachments[0];
  return first && attachmentImage(first);
}
