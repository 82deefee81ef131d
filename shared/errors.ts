/**
 * Failures a user can cause or meet. Each carries a stable code (for programs and tests), a
 * message written for the person who sent the request, the facts it was made from (context)
 * and, where it stands for a lower-level failure, that failure as its `cause`.
 */
export const userErrorCodes = [
  'empty_input',
  'not_an_image',
  'unsupported_format',
  'corrupt_image',
  'image_too_large',
  'file_too_large',
  'download_failed',
  'unknown_style',
  'no_model',
  'malformed_request',
  'timed_out',
  'rate_limited',
  'too_many_pending',
  'queue_busy',
  'forbidden',
  'bad_command',
  'not_found',
  'not_cancellable',
  'cancelled',
  'expired',
  'no_trainer',
  'internal',
] as const;
export type UserErrorCode = (typeof userErrorCodes)[number];

/**
 * Whether the same request, sent again unchanged, can succeed: the failure came from the moment
 * (load, a crash, a network hiccup), not from the request. Only these offer a Retry.
 */
const retryable: Readonly<Record<UserErrorCode, boolean>> = {
  empty_input: false,
  not_an_image: false,
  unsupported_format: false,
  corrupt_image: false,
  image_too_large: false,
  file_too_large: false,
  download_failed: true,
  unknown_style: false,
  no_model: false,
  malformed_request: false,
  timed_out: true,
  rate_limited: true,
  too_many_pending: true,
  queue_busy: true,
  forbidden: false,
  bad_command: false,
  not_found: false,
  not_cancellable: false,
  cancelled: false,
  expired: false,
  no_trainer: false,
  internal: true,
};

/** The facts behind an error (sizes, limits, names), for logs and programs; never shown as such. */
export type UserErrorContext = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface UserErrorOptions {
  context?: UserErrorContext;
  /** The failure this error stands for (ES2022 Error cause). */
  cause?: unknown;
}

const imageFormats = 'JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF';

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly context: UserErrorContext;

  constructor(
    readonly code: UserErrorCode,
    message: string,
    { context = {}, cause }: UserErrorOptions = {},
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.context = context;
  }

  /** True when trying the same request again can succeed (see `retryable`). */
  get retryable(): boolean {
    return retryable[this.code];
  }

  /** The form in which the error crosses the queue as a BullMQ failedReason. */
  toFailedReason(): string {
    return `${this.code}: ${this.message}`;
  }

  /**
   * Recovers a UserError from a failedReason; anything else is not the user's doing. `cause` is
   * the error that carried the reason (BullMQ's), when there is one.
   */
  static fromFailedReason(reason: string | undefined, cause?: unknown): UserError | undefined {
    if (!reason) return undefined;
    const sep = reason.indexOf(': ');
    if (sep < 0) return undefined;
    const prefix = reason.slice(0, sep);
    const code = userErrorCodes.find((c) => c === prefix);
    if (code === undefined) return undefined;
    return new UserError(code, reason.slice(sep + 2), { cause });
  }

  static emptyInput(): UserError {
    return new UserError('empty_input', 'The file is empty.');
  }

  static notAnImage(): UserError {
    return new UserError('not_an_image', `That file is not an image. Send a photo (${imageFormats}).`);
  }

  static unsupportedFormat(format: string, cause?: unknown): UserError {
    return new UserError('unsupported_format', `Images in ${format} format are not supported. Send a ${imageFormats}.`, {
      context: { format },
      cause,
    });
  }

  static corruptImage(cause?: unknown): UserError {
    return new UserError('corrupt_image', 'The image could not be read; it may be damaged or incomplete. Try sending it again.', { cause });
  }

  static imageTooLarge(width: number, height: number, maxPixels: number): UserError {
    return new UserError('image_too_large', `The image is ${width}×${height} pixels; the limit is ${(maxPixels / 1e6).toFixed(0)} megapixels. Send a smaller image.`, {
      context: { width, height, maxPixels },
    });
  }

  static fileTooLarge(bytes: number, maxBytes: number): UserError {
    return new UserError('file_too_large', `The file is ${megabytes(bytes)}; the limit is ${megabytes(maxBytes)}. Send a smaller file.`, {
      context: { bytes, maxBytes },
    });
  }

  static downloadFailed(cause?: unknown): UserError {
    return new UserError('download_failed', 'The file could not be downloaded. Please send it again.', { cause });
  }

  static unknownStyle(style: string, known: readonly string[]): UserError {
    return new UserError(
      'unknown_style',
      known.length ? `There is no style called "${style}". Available styles: ${known.join(', ')}.` : `There is no style called "${style}", and no styles are installed yet.`,
      { context: { style, known } },
    );
  }

  /** `label` is the style as users know it ("Cartoon"); `available`, the labels of the styles that can run. */
  static noModel(label: string, available: readonly string[] = []): UserError {
    return new UserError(
      'no_model',
      available.length
        ? `${label} has no trained model installed yet. Available styles: ${available.join(', ')}.`
        : `${label} has no trained model installed yet, and no other style is available either. Please try again later.`,
      { context: { style: label, available } },
    );
  }

  static noStyles(): UserError {
    return new UserError('no_model', 'No style is available yet: no trained model is installed. Please try again later.');
  }

  /** A job whose data does not match its schema: what was sent is wrong, so sending it again cannot help. */
  static malformedRequest(problem: string): UserError {
    return new UserError('malformed_request', `The request was malformed: ${problem}.`, { context: { problem } });
  }

  static inputExpired(): UserError {
    return new UserError('expired', 'The image expired before it could be processed. Please send it again.');
  }

  static resultExpired(): UserError {
    return new UserError('expired', 'The result expired before it could be sent. Please send the image again.');
  }

  static timedOut(seconds: number): UserError {
    return new UserError('timed_out', `Processing took longer than ${seconds} s and was stopped. Try a smaller image or try again later.`, {
      context: { seconds },
    });
  }

  static rateLimited(limit: number, windowSeconds: number, retryAfterSeconds: number): UserError {
    return new UserError('rate_limited', `You can send ${limit} images every ${windowSeconds} s. Please wait ${retryAfterSeconds} s and try again.`, {
      context: { limit, windowSeconds, retryAfterSeconds },
    });
  }

  static tooManyPending(maxPending: number): UserError {
    return new UserError(
      'too_many_pending',
      `You already have ${maxPending} image${maxPending === 1 ? '' : 's'} waiting. Wait for ${maxPending === 1 ? 'it' : 'them'} to finish (or /cancel) before sending more.`,
      { context: { maxPending } },
    );
  }

  static queueBusy(): UserError {
    return new UserError('queue_busy', 'The bot is very busy right now. Please try again in a few minutes.');
  }

  static adminOnly(): UserError {
    return new UserError('forbidden', 'Sorry, only the bot’s admins can do that.');
  }

  static notYourRequest(): UserError {
    return new UserError('forbidden', 'Only the person who sent the photo can use these buttons. Send your own photo to try it.');
  }

  static noTrainer(): UserError {
    return new UserError(
      'no_trainer',
      'No trainer is running, so nothing was queued (the run would wait forever). Start one with `npm run trainer` (or the trainer service of docker-compose.yml), then try again.',
    );
  }

  static cancelled(): UserError {
    return new UserError('cancelled', 'Cancelled.');
  }

  static forgotten(): UserError {
    return new UserError('cancelled', 'Cancelled: you asked the bot to forget your data.');
  }

  /** The answer to a failure that is not the user's doing, while a chat command or button was handled. */
  static somethingWentWrong(cause?: unknown): UserError {
    return new UserError('internal', 'Something went wrong while handling your request. Please try again later.', { cause });
  }

  /** The answer to a translation that failed for good for a reason that is not the user's doing (a worker crash). */
  static processingFailed(cause?: unknown): UserError {
    return new UserError('internal', 'Something went wrong while processing your image. Please try again later.', { cause });
  }
}

/** Bytes as people (and the platforms' own limits) count them: 20971520 is "20 MB". */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) || mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
