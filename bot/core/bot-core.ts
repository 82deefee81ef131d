import { Queue, QueueEvents, type FlowProducer, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisBlobStore } from '../../shared/blob/redis-blob-store.js';
import type { Config } from '../../shared/config.js';
import type { Logger } from '../../shared/logger.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { ModelAnnouncer } from '../../shared/models/model-announcer.js';
import type { ModelStore } from '../../shared/models/model-store.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { flowProducer, translateQueue, translateQueueEvents } from '../../shared/queue/queues.js';
import { createRedis, redisOptions, routeRedisErrors } from '../../shared/queue/redis.js';
import { RedisPersistence } from '../../shared/queue/redis-persistence.js';
import { QueueSlots } from '../../shared/queue/queue-slots.js';
import { TrainControl } from '../../shared/queue/train-control.js';
import { TrainerHeartbeat } from '../../shared/queue/trainer-heartbeat.js';
import { TrainRuns } from '../../shared/queue/train-runs.js';
import { AdminActions } from './admin-actions.js';
import { Admission } from './admission.js';
import { AnswerClaims } from './answer-claims.js';
import { Curation } from './curation.js';
import { deliveryJobId, startDeliveryWorker } from './delivery-worker.js';
import { HandledEvents } from './handled-events.js';
import { InstalledStyles } from './installed-styles.js';
import { PendingRequests } from './pending-requests.js';
import type { PlatformAdapter } from './platform-adapter.js';
import { ProgressFanout } from './progress-fanout.js';
import { RateLimiter } from './rate-limiter.js';
import { RequestIntake, type Target } from './request-intake.js';
import { RequestRecords } from './request-records.js';
import { RequestWithdrawal } from './request-withdrawal.js';
import { StylePreference } from './style-preference.js';
import { TrainNotifications } from './train-notifications.js';
import { UserRequests } from './user-requests.js';
import { UserSettings } from './user-settings.js';
import { WaitEstimator } from './wait-estimate.js';

export type BotCoreConfig = Pick<
  Config,
  | 'QUEUE_PREFIX'
  | 'JOB_ATTEMPTS'
  | 'BLOB_TTL_S'
  | 'MAX_INPUT_BYTES'
  | 'MAX_INPUT_PIXELS'
  | 'DEFAULT_STYLE'
  | 'MODELS_DIR'
  | 'USER_RATE_LIMIT'
  | 'USER_RATE_WINDOW_S'
  | 'USER_MAX_PENDING'
  | 'QUEUE_CAP'
  | 'MAX_OUTPUT_SIDE'
>;

export interface BotCoreOptions<T extends Target, N extends Target> {
  config: BotCoreConfig;
  logger: Logger;
  redisUrl: string;
  adapter: PlatformAdapter<T, N>;
  /** The platform's admin user ids (from config). */
  admins: readonly string[];
  /** The largest file the platform lets bots download; the lower of it and MAX_INPUT_BYTES applies. */
  maxDownloadBytes?: number;
  /** Defaults to the directory store at MODELS_DIR. */
  store?: ModelStore | undefined;
  /** Deliveries sent at once. */
  deliveryConcurrency?: number;
}

/**
 * Everything a chat bot does that does not depend on the chat platform, wired to Redis and
 * the queues: the platform's handlers call `intake`, `requests`, `styles`, `admin` and
 * `curation`, and `start` begins answering (delivery worker, progress and training notices)
 * through the platform's adapter.
 */
export class BotCore<T extends Target, N extends Target> {
  readonly intake: RequestIntake<T>;
  readonly requests: UserRequests<T>;
  readonly styles: StylePreference;
  readonly installedStyles: InstalledStyles;
  readonly admin: AdminActions<N>;
  readonly curation: Curation;
  readonly handledEvents: HandledEvents;
  /** Longest side of a result, for /help. */
  readonly maxOutputSide: number;

  private readonly redis: Redis;
  private readonly queues: Queue[];
  private readonly flow: FlowProducer;
  private readonly translateEvents: QueueEvents;
  private readonly trainEvents: QueueEvents;
  private readonly curateEvents: QueueEvents;
  private readonly progress: ProgressFanout<T>;
  private readonly trainNotifications: TrainNotifications<N>;
  private readonly startDelivery: () => Worker;
  private delivery: Worker | undefined;

  constructor(options: BotCoreOptions<T, N>) {
    const { config, logger, redisUrl, adapter } = options;
    const { platform } = adapter;
    const connection = redisOptions(redisUrl);
    const prefix = config.QUEUE_PREFIX;
    this.redis = createRedis(redisUrl);
    const translate = routeRedisErrors(translateQueue(connection, config));
    const deliver = routeRedisErrors(new Queue(queueNames.deliver(platform), { connection, prefix }));
    const train = routeRedisErrors(new Queue(queueNames.train, { connection, prefix }));
    const curate = routeRedisErrors(new Queue(queueNames.curate, { connection, prefix }));
    const flow = routeRedisErrors(flowProducer(connection, config));
    this.queues = [translate, deliver, train, curate];
    this.translateEvents = routeRedisErrors(translateQueueEvents(connection, config));
    this.trainEvents = routeRedisErrors(new QueueEvents(queueNames.train, { connection, prefix }));
    this.curateEvents = routeRedisErrors(new QueueEvents(queueNames.curate, { connection, prefix }));
    this.flow = flow;

    const store = options.store ?? new DirectoryModelStore(config.MODELS_DIR);
    const blobs = new RedisBlobStore(this.redis, prefix, config.BLOB_TTL_S);
    const records = new RequestRecords(this.redis, prefix, platform, config.BLOB_TTL_S);
    const pending = new PendingRequests(this.redis, prefix, platform, config.BLOB_TTL_S * 1000, async (requestId) => {
      const state = await deliver.getJobState(deliveryJobId(requestId));
      return state !== 'unknown' && state !== 'completed' && state !== 'failed';
    });
    const settings = new UserSettings(this.redis, prefix, platform);
    const claims = new AnswerClaims(this.redis, prefix, platform, config.BLOB_TTL_S);
    const wait = new WaitEstimator(this.redis, prefix, translate);
    this.installedStyles = new InstalledStyles(store, config.DEFAULT_STYLE);
    const admission = new Admission(
      new QueueSlots(this.redis, translate, config.QUEUE_CAP),
      pending,
      new RateLimiter(this.redis, prefix, platform, config.USER_RATE_LIMIT, config.USER_RATE_WINDOW_S),
      { maxPending: config.USER_MAX_PENDING },
    );
    this.progress = new ProgressFanout<T>(this.translateEvents, records, adapter, wait, this.installedStyles, logger);

    this.handledEvents = new HandledEvents(this.redis, prefix, platform);
    this.maxOutputSide = config.MAX_OUTPUT_SIDE;
    const imageLimits = {
      maxBytes: Math.min(config.MAX_INPUT_BYTES, options.maxDownloadBytes ?? Number.POSITIVE_INFINITY),
      maxPixels: config.MAX_INPUT_PIXELS,
    };
    this.intake = new RequestIntake<T>({
      platform,
      isSubmitted: async (requestId) => (await deliver.getJobState(deliveryJobId(requestId))) !== 'unknown' || (await claims.isClaimed(requestId)),
      queueConfig: config,
      imageLimits,
      blobTtlSeconds: config.BLOB_TTL_S,
      flow,
      blobs,
      records,
      pending,
      admission,
      styles: this.installedStyles,
      settings,
      wait,
      handledEvents: this.handledEvents,
      progress: this.progress,
      adapter,
      targetSchema: adapter.targetSchema,
      logger,
    });
    const withdrawal = new RequestWithdrawal<T>({
      redis: this.redis,
      translateQueue: translate,
      deliverQueue: deliver,
      claims,
      records,
      adapter,
      targetSchema: adapter.targetSchema,
      logger,
    });
    this.requests = new UserRequests<T>({
      translateQueue: translate,
      pending,
      records,
      settings,
      blobs,
      wait,
      withdrawal,
      handledEvents: this.handledEvents,
      persistence: new RedisPersistence(this.redis, logger),
    });
    this.styles = new StylePreference(settings, this.installedStyles, config.DEFAULT_STYLE);
    const trainer = new TrainerHeartbeat(this.redis, prefix);
    this.admin = new AdminActions<N>({
      platform,
      admins: options.admins,
      trainQueue: train,
      runs: new TrainRuns(train, new TrainControl(this.redis, prefix)),
      trainer,
      translateQueue: translate,
      store,
      announcer: new ModelAnnouncer(this.redis, prefix),
      styles: this.installedStyles,
      wait,
    });
    this.curation = new Curation({ platform, admin: this.admin, records, blobs, queue: curate, events: this.curateEvents, trainer, imageLimits });

    this.trainNotifications = new TrainNotifications<N>(this.trainEvents, train, adapter, logger);
    this.startDelivery = () =>
      startDeliveryWorker<T>({
        platform,
        connection,
        prefix,
        concurrency: options.deliveryConcurrency ?? 4,
        adapter,
        claims,
        records,
        pending,
        blobs,
        styles: this.installedStyles,
        wait,
        progress: this.progress,
        logger,
      });
  }

  /** Starts answering: progress and training notices, then the delivery worker (which may find answers queued while no bot ran). */
  async start(): Promise<void> {
    this.progress.start();
    this.trainNotifications.start();
    await Promise.all([this.translateEvents.waitUntilReady(), this.trainEvents.waitUntilReady(), this.curateEvents.waitUntilReady()]);
    this.delivery = this.startDelivery();
    await this.delivery.waitUntilReady();
  }

  /** Stops taking deliveries (finishing those being sent) and closes every connection. */
  async close(): Promise<void> {
    await this.delivery?.close();
    this.progress.close();
    this.trainNotifications.close();
    await Promise.all([this.translateEvents.close(), this.trainEvents.close(), this.curateEvents.close()]);
    await Promise.all([...this.queues.map((q) => q.close()), this.flow.close()]);
    await this.redis.quit();
  }
}
