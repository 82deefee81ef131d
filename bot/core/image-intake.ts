import { UserError } from '../../shared/errors.js';
import { decodeImage, type ImageLimits } from '../../shared/image/codec.js';

/** An image a user sent, as the platform describes it before anything is downloaded. */
export interface IncomingImage {
  /** Size the platform declares, when it does. */
  declaredBytes?: number | undefined;
  /** MIME type the platform declares, when it does. */
  declaredType?: string | undefined;
  download(): Promise<Buffer>;
}

/** Declared types that say nothing about the content (files without a known extension). */
const vagueTypes: ReadonlySet<string> = new Set(['application/octet-stream', 'binary/octet-stream']);

/** Refuses (UserError) what the platform's description already rules out: too big, not an image. */
export function checkDeclared(image: IncomingImage, limits: ImageLimits): void {
  if (image.declaredBytes !== undefined && image.declaredBytes > limits.maxBytes) {
    throw UserError.fileTooLarge(image.declaredBytes, limits.maxBytes);
  }
  const type = image.declaredType?.toLowerCase();
  if (type && !type.startsWith('image/') && !vagueTypes.has(type)) throw UserError.notAnImage();
}

/**
 * Checks what the platform declares (size, type) before downloading, downloads, then
 * validates the bytes with the image codec. Returns the bytes; throws UserError for
 * anything the user should be told about.
 */
export async function receiveImage(image: IncomingImage, limits: ImageLimits): Promise<Buffer> {
  checkDeclared(image, limits);
  const bytes = await image.download();
  await decodeImage(bytes, limits);
  return bytes;
}
