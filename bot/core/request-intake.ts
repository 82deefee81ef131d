import type { FlowProducer } from 'bullmq';
import type { z } from 'zod';
import type { BlobStore } from '../../shared/blob/blob-store.js';
import { UserError } from '../../shared/errors.js';
import type { ImageLimits } from '../../shared/image/codec.js';
import type { Logger } from '../../shared/logger.js';
import type { Platform } from '../../shared/queue/contracts.js';
import type { QueueConfig } from '../../shared/queue/queues.js';
import { submitTranslation } from '../../shared/queue/translation-requests.js';
import type { ResolvedStyle } from '../../shared/styles.js';
import type { Admission } from './admission.js';
import { failureAnswer } from './answers.js';
import { checkDeclared, receiveImage, type IncomingImage } from './image-intake.js';
import type { HandledEvents } from './handled-events.js';
import type { InstalledStyles } from './installed-styles.js';
import { queuedText } from './messages.js';
import type { PendingRequests } from './pending-requests.js';
import type { PlatformAdapter } from './platform-adapter.js';
import type { ProgressFanout } from './progress-fanout.js';
import type { RequestRecords } from './request-records.js';
import type { UserSettings } from './user-settings.js';
import type { WaitEstimator } from './wait-estimate.js';

export type Target = Record<string, unknown>;

/** The same button pressed again within this long is the same request (a double tap). */
const doubleTapSeconds = 10;

export interface NewRequest<T extends Target> {
  /**
   * Derived from the platform's message or interaction id, so that a redelivered update
   * finds its request already queued instead of queuing it twice. (A bot that died between
   * announcing and queuing queues it on redelivery, after announcing it again.)
   */
  requestId: string;
  userId: string;
  image: IncomingImage;
  /** The style asked for; unset uses the user's default style, then the bot's. */
  style?: string | undefined;
  /** Tells the user the request is queued (with this text) and returns where to answer. */
  announce(text: string): Promise<T>;
}

export interface RepeatedRequest<T extends Target> {
  requestId: string;
  userId: string;
  /** The request whose image is used again. */
  fromRequestId: string;
  /** Unset repeats the original request's style. */
  style?: string | undefined;
  announce(text: string, original: T): Promise<T>;
}

export type SubmitOutcome =
  | { submitted: true; requestId: string }
  /** The same request was submitted before (or the same button was just pressed); nothing was done. */
  | { submitted: false; reason: 'duplicate' }
  /** Queuing failed after the user was told it was queued; the user has been told it failed. */
  | { submitted: false; reason: 'failed' };

export interface IntakeDeps<T extends Target> {
  platform: Platform;
  /** Whether a request with this id was queued already (its flow exists, or it was answered). */
  isSubmitted(requestId: string): Promise<boolean>;
  queueConfig: QueueConfig;
  imageLimits: ImageLimits;
  blobTtlSeconds: number;
  flow: FlowProducer;
  blobs: BlobStore;
  records: RequestRecords;
  pending: PendingRequests;
  admission: Admission;
  styles: InstalledStyles;
  settings: UserSettings;
  wait: WaitEstimator;
  handledEvents: Pick<HandledEvents, 'firstWithin' | 'forgetAction'>;
  progress: Pick<ProgressFanout<T>, 'noteAnnounced'>;
  adapter: Pick<PlatformAdapter<T, unknown>, 'deliver'>;
  targetSchema: z.ZodType<T>;
  logger: Logger;
}

/** The key of the style asked for by name or label ("Cartoon" → "toon"); undefined leaves the choice to the worker's default. */
function canonicalStyle(asked: string | undefined, resolved: ResolvedStyle): string | undefined {
  return asked === undefined ? undefined : (resolved.requestedStyle ?? resolved.style);
}

/**
 * Turns a user's image into a queued translation request: style, the image's declared size
 * and type, and the user's limits are checked before anything is downloaded, the image is validated, stored as a blob and submitted as a
 * durable flow whose delivery job answers the user. Every refusal is a UserError for the
 * platform to show.
 */
export class RequestIntake<T extends Target> {
  constructor(private readonly deps: IntakeDeps<T>) {}

  async submit(request: NewRequest<T>): Promise<SubmitOutcome> {
    const { settings, styles, admission, blobs } = this.deps;
    if (await this.deps.isSubmitted(request.requestId)) return { submitted: false, reason: 'duplicate' };
    const asked = request.style ?? (await settings.get(request.userId)).style;
    const resolved = await styles.resolve(asked);
    const style = canonicalStyle(asked, resolved);
    checkDeclared(request.image, this.deps.imageLimits);
    const slot = await admission.admit(request.userId, request.requestId);
    try {
      const bytes = await receiveImage(request.image, this.deps.imageLimits);
      const inputBlob = await blobs.put(bytes, this.deps.blobTtlSeconds);
      return await this.enqueue({ requestId: request.requestId, userId: request.userId, inputBlob, style }, resolved, slot.position, (text) => request.announce(text));
    } finally {
      await slot.release();
    }
  }

  /** Runs an earlier request's image again ("other style", "retry" buttons). */
  async resubmit(request: RepeatedRequest<T>): Promise<SubmitOutcome> {
    const { records, styles, admission, blobs, targetSchema, handledEvents } = this.deps;
    if (await this.deps.isSubmitted(request.requestId)) return { submitted: false, reason: 'duplicate' };
    const original = await records.get(request.fromRequestId);
    if (original && original.userId !== request.userId) throw UserError.notYourRequest();
    if (!original || !(await blobs.get(original.inputBlob))) throw UserError.inputExpired();
    const previousTarget = targetSchema.parse(original.target);
    const asked = request.style ?? original.style;
    const resolved = await styles.resolve(asked);
    const style = canonicalStyle(asked, resolved);
    // The user first: /forget finds a user's actions by that prefix (HandledEvents.forgetActionsOf).
    const action = `${request.userId}:${request.fromRequestId}:${request.style ?? 'retry'}`;
    if (!(await handledEvents.firstWithin(action, doubleTapSeconds))) return { submitted: false, reason: 'duplicate' };
    // A refused press (busy, rate limit) may be pressed again at once.
    const slot = await admission.admit(request.userId, request.requestId).catch(async (err: unknown) => {
      await handledEvents.forgetAction(action);
      throw err;
    });
    try {
      return await this.enqueue({ requestId: request.requestId, userId: request.userId, inputBlob: original.inputBlob, style }, resolved, slot.position, (text) =>
        request.announce(text, previousTarget),
      );
    } finally {
      await slot.release();
    }
  }

  /** `position` is the place in the queue the request reserved. */
  private async enqueue(
    request: { requestId: string; userId: string; inputBlob: string; style: string | undefined },
    resolved: ResolvedStyle,
    position: number,
    announce: (text: string) => Promise<T>,
  ): Promise<SubmitOutcome> {
    const { platform, records, pending, wait, flow, queueConfig } = this.deps;
    const target = await announce(queuedText(await wait.forPosition(position), resolved));
    this.deps.progress.noteAnnounced(request.requestId, position);
    const record = { ...request, platform, target, createdAt: Date.now() };
    // The record exists before the flow, so that a fast delivery finds it; it stays when
    // queuing fails, so that the "retry" button offered then has the image.
    await records.save(record);
    try {
      const { requestId, userId, inputBlob, style } = request;
      await submitTranslation(flow, queueConfig, { platform, requestId, userId, inputBlob, style, outputFormat: 'png' }, target);
    } catch (err) {
      this.deps.logger.error({ err, requestId: request.requestId }, 'submitting a translation failed');
      await this.deps.adapter.deliver(target, failureAnswer(request.requestId, UserError.somethingWentWrong(err)));
      return { submitted: false, reason: 'failed' };
    }
    await pending.add(request.userId, request.requestId);
    return { submitted: true, requestId: request.requestId };
  }
}
