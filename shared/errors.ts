/**
 * Failures a user can cause or meet. Each carries a stable code (for programs and tests)
 * and a message written for the person who sent the request.
 */
export const userErrorCodes = [
  'empty_input',
  'not_an_image',
  'unsupported_format',
  'corrupt_image',
  'image_too_large',
  'file_too_large',
  'unknown_style',
  'no_model',
  'timed_out',
  'rate_limited',
  'too_many_pending',
  'queue_busy',
  'forbidden',
  'bad_request',
  'cancelled',
  'expired',
  'no_trainer',
] as const;
export type UserErrorCode = (typeof userErrorCodes)[number];

export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The form in which the error crosses the queue as a BullMQ failedReason. */
  toFailedReason(): string {
    return `${this.code}: ${this.message}`;
  }

  /** Recovers a UserError from a failedReason; anything else is not the user's doing. */
  static fromFailedReason(reason: string | undefined): UserError | undefined {
    if (!reason) return undefined;
    const sep = reason.indexOf(': ');
    if (sep < 0) return undefined;
    const code = reason.slice(0, sep);
    if (!(userErrorCodes as readonly string[]).includes(code)) return undefined;
    return new UserError(code as UserErrorCode, reason.slice(sep + 2));
  }
}

export const EmptyInputError = () => new UserError('empty_input', 'The file is empty.');
export const NotAnImageError = () =>
  new UserError('not_an_image', 'That file is not an image. Send a photo (JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF).');
export const UnsupportedFormatError = (format: string) =>
  new UserError('unsupported_format', `Images in ${format} format are not supported. Send a JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF.`);
export const CorruptImageError = () =>
  new UserError('corrupt_image', 'The image could not be read; it may be damaged or incomplete. Try sending it again.');
export const ImageTooLargeError = (width: number, height: number, maxPixels: number) =>
  new UserError(
    'image_too_large',
    `The image is ${width}×${height} pixels; the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels. Send a smaller image.`,
  );
/** Bytes as people (and the platforms' own limits) count them: 20971520 is "20 MB". */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) || mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
export const FileTooLargeError = (bytes: number, maxBytes: number) =>
  new UserError('file_too_large', `The file is ${megabytes(bytes)}; the limit is ${megabytes(maxBytes)}. Send a smaller file.`);
export const UnknownStyleError = (style: string, known: readonly string[]) =>
  new UserError(
    'unknown_style',
    known.length
      ? `There is no style called "${style}". Available styles: ${known.join(', ')}.`
      : `There is no style called "${style}", and no styles are installed yet.`,
  );
/** `label` is the style as users know it ("Cartoon"); `available`, the labels of the styles that can run. */
export const NoModelError = (label: string, available: readonly string[] = []) =>
  new UserError(
    'no_model',
    available.length
      ? `${label} has no trained model installed yet. Available styles: ${available.join(', ')}.`
      : `${label} has no trained model installed yet, and no other style is available either. Please try again later.`,
  );
export const NoStylesError = () =>
  new UserError('no_model', 'No style is available yet: no trained model is installed. Please try again later.');
export const ExpiredInputError = () =>
  new UserError('expired', 'The image expired before it could be processed. Please send it again.');
export const TimedOutError = (seconds: number) =>
  new UserError('timed_out', `Processing took longer than ${seconds} s and was stopped. Try a smaller image or try again later.`);
export const RateLimitedError = (limit: number, windowSeconds: number, retryAfterSeconds: number) =>
  new UserError(
    'rate_limited',
    `You can send ${limit} images every ${windowSeconds} s. Please wait ${retryAfterSeconds} s and try again.`,
  );
export const TooManyPendingError = (maxPending: number) =>
  new UserError(
    'too_many_pending',
    `You already have ${maxPending} image${maxPending === 1 ? '' : 's'} waiting. Wait for ${maxPending === 1 ? 'it' : 'them'} to finish (or /cancel) before sending more.`,
  );
export const QueueBusyError = () =>
  new UserError('queue_busy', 'The bot is very busy right now. Please try again in a few minutes.');
export const AdminOnlyError = () => new UserError('forbidden', 'Sorry, only the bot’s admins can do that.');
export const NotYourRequestError = () =>
  new UserError('forbidden', 'Only the person who sent the photo can use these buttons. Send your own photo to try it.');
export const NoTrainerError = () =>
  new UserError(
    'no_trainer',
    'No trainer is running, so nothing was queued (the run would wait forever). Start one with `npm run trainer` (or the trainer service of docker-compose.yml), then try again.',
  );
export const CancelledError = () => new UserError('cancelled', 'Cancelled.');
export const ForgottenRequestError = () =>
  new UserError('cancelled', 'Cancelled: you asked the bot to forget your data.');
export const ResultExpiredError = () =>
  new UserError('expired', 'The result expired before it could be sent. Please send the image again.');
export const DownloadFailedError = () =>
  new UserError('bad_request', 'The file could not be downloaded. Please send it again.');
export const SomethingWentWrongError = () =>
  new UserError('bad_request', 'Something went wrong while handling your request. Please try again later.');
