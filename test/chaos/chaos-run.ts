import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Queue } from 'bullmq';
import { createLogger } from '../../shared/logger.js';
import { loadConfig } from '../../shared/config.js';
import { startChildService, type ChildService } from '../../shared/process/child-service.js';
import { ensureLocalRedis, freePort, type LocalRedisLease } from '../../shared/process/local-redis.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { createRedis, redisOptions, routeRedisErrors } from '../../shared/queue/redis.js';
import { SeededRandom } from '../../trainer/data/seeded-random.js';
import { percentile } from '../../bench/stats.js';
import { appEnv, isRunning, startApp, type AppProcess } from '../helpers/app-process.js';
import { makePhoto } from '../helpers/images.js';
import { tinyModelStore } from '../helpers/tiny-model.js';
import { sleep } from '../helpers/wait-for.js';
import { BotApiStandIn, type StoredMessage, type TelegramUser } from '../telegram/bot-api-stand-in.js';
import { photoFate, type PhotoFate, type RefusalReason } from './answer-audit.js';
import { auditKeys, type KeyAudit } from './key-audit.js';
import { RssSampler, type RoleMemory } from './rss-sampler.js';

export interface ChaosOptions {
  users: number;
  photos: number;
  seed: number;
  /** Seconds over which the photos are sent (and the faults injected). */
  durationS: number;
  /** SIGKILLs of each kind (a worker, Redis, the bot). */
  faultsPerKind: number;
  /** Longest wait, after the last photo, for every answer and for the queues to empty. */
  settleS: number;
  /** A process whose RSS goes over this fails the run. */
  rssLimitMb: number;
  /** The bot's limits for the run (QUEUE_CAP, USER_RATE_LIMIT, USER_RATE_WINDOW_S, USER_MAX_PENDING). */
  limits: { queueCap: number; rateLimit: number; rateWindowS: number; maxPending: number };
  /**
   * BLOB_TTL_S for the run (the key audit checks every blob expires within it). Longer than
   * a result can wait for its delivery after a bot's SIGKILL: the delivery job's lock and
   * stall check (up to a minute), then a send cut off mid-way waits out its 120 s claim.
   */
  blobTtlS: number;
  /** Log level of the workers and the bot (their lines go to this process's output). */
  childLogLevel: string;
}

export const defaultChaosOptions: ChaosOptions = {
  users: 40,
  photos: 300,
  seed: 13,
  durationS: 90,
  faultsPerKind: 2,
  settleS: 240,
  rssLimitMb: 1024,
  limits: { queueCap: 25, rateLimit: 10, rateWindowS: 60, maxPending: 3 },
  blobTtlS: 300,
  childLogLevel: 'error',
};

export type FaultKind = 'worker' | 'redis' | 'bot';

export interface InjectedFault {
  kind: FaultKind;
  /** What was killed ("worker-2", "redis", "bot") and its pid. */
  target: string;
  pid: number;
  /** Seconds since the first photo. */
  atS: number;
  /** Seconds until its replacement was up again. */
  downS: number;
}

export interface ChaosReport {
  options: ChaosOptions;
  sent: number;
  accepted: number;
  /** Accepted and answered exactly once: with the styled photo, or with a failure message. */
  answered: number;
  answeredWithFailure: number;
  /** Accepted photos announced twice ("Queued" again after a bot restart). */
  reannounced: number;
  duplicated: number;
  lost: number;
  refused: Record<RefusalReason, number>;
  /** Seconds from sending a photo to its first answer (accepted photos). */
  answerSeconds: { p50: number; p95: number; max: number };
  faults: InjectedFault[];
  memory: RoleMemory[];
  keys: KeyAudit;
  /** Examples of what went wrong (lost, duplicated, refused without a reason, failure answers), at most a few of each. */
  examples: string[];
  /** Every failed check, one line each; empty when the run passed. */
  problems: string[];
  seconds: number;
}

interface SentPhoto {
  user: TelegramUser;
  message: StoredMessage;
  sentAt: number;
  settledAt?: number;
  fate?: PhotoFate;
}

const prefix = 'animebot';
const restartDelayMs = 1000;

/**
 * One chaos run (issue 13): a durable local Redis as `npm start` runs it
 * (`ensureLocalRedis`: AOF, appendfsync everysec), two translate workers in child processes
 * (`startChildService`), the bot process (`bot/main.ts`) on the Telegram Bot API stand-in,
 * and `users` simulated chats sending `photos` photos in seeded bursts over `durationS`.
 * Meanwhile, at seeded moments, a worker, Redis and the bot are each SIGKILLed
 * `faultsPerKind` times and started again (a killed worker is restarted after a second, as
 * a process supervisor would; Redis on the same port and data directory). Then every
 * photo's fate is read from the chats, the keys are audited, and the memory of every
 * process is reported.
 */
export async function runChaos(options: ChaosOptions, progress: (line: string) => void): Promise<ChaosReport> {
  const random = new SeededRandom(options.seed);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'animebot-chaos-'));
  const redisDir = path.join(workDir, 'redis');
  const redisPort = await freePort();
  await tf.setBackend('cpu');
  const { store } = await tinyModelStore(['sketch'], 64);
  const standIn = await BotApiStandIn.start();
  let redis: LocalRedisLease = await ensureLocalRedis({ dir: redisDir, port: redisPort });
  const env = appEnv({
    LOG_LEVEL: options.childLogLevel,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    MODELS_DIR: store.root,
    DATA_DIR: path.join(workDir, 'data'),
    DEFAULT_STYLE: 'sketch',
    TELEGRAM_BOT_TOKEN: standIn.token,
    TELEGRAM_API_ROOT: standIn.apiRoot,
    BLOB_TTL_S: String(options.blobTtlS),
    QUEUE_CAP: String(options.limits.queueCap),
    USER_RATE_LIMIT: String(options.limits.rateLimit),
    USER_RATE_WINDOW_S: String(options.limits.rateWindowS),
    USER_MAX_PENDING: String(options.limits.maxPending),
    // A killed worker's jobs are taken over within seconds, not the default half minute.
    JOB_LOCK_MS: '5000',
    STALLED_INTERVAL_MS: '5000',
  });
  const logger = createLogger(loadConfig({ ...env, LOG_LEVEL: 'warn' }), 'chaos');
  const startWorker = (name: string) => startChildService({ name, script: 'worker/main.ts', env, logger });
  const startBot = async (): Promise<AppProcess> => {
    const since = Date.now();
    const bot = startApp('bot/main.ts', [], env);
    await standIn.waitFor('the bot to poll for updates', () => standIn.calls.some((c) => c.method === 'getUpdates' && c.at >= since), 120_000);
    return bot;
  };

  const workers: ChildService[] = [startWorker('worker-1'), startWorker('worker-2')];
  let bot: AppProcess | undefined;
  const client = createRedis(redis.url);
  const queues = [queueNames.translate, queueNames.deliver('telegram')].map((name) => routeRedisErrors(new Queue(name, { connection: redisOptions(redis.url), prefix })));
  const sampler = new RssSampler(() => ({
    redis: redis.pid,
    'worker-1': workers[0]!.pid,
    'worker-2': workers[1]!.pid,
    bot: bot?.pid,
    'chaos runner (stand-in)': process.pid,
  }));
  const started = Date.now();
  const elapsed = (from = started) => (Date.now() - from) / 1000;
  try {
    await Promise.all(workers.map((w) => w.ready));
    bot = await startBot();
    progress(`redis (AOF, appendfsync everysec) on port ${redisPort}, 2 workers and the bot are up after ${elapsed().toFixed(0)} s; seconds below count from the first photo`);

    const photos = await Promise.all(
      [
        [96, 72],
        [128, 96],
        [160, 120],
        [120, 160],
      ].map(async ([width, height]) => ({ bytes: await makePhoto(width!, height!), width: width!, height: height! })),
    );
    const users: TelegramUser[] = Array.from({ length: options.users }, (_, i) => ({ id: 30_001 + i, first_name: `User ${i + 1}` }));
    const sends = sendSchedule(random, options);
    const faultPlan = faultSchedule(random, options);
    const sent: SentPhoto[] = [];
    const faults: InjectedFault[] = [];
    const sendStart = Date.now();
    const at = () => elapsed(sendStart);

    const track = () => {
      for (const photo of sent) {
        if (photo.settledAt !== undefined) continue;
        const fate = photoFate(standIn, photo.message, options.limits.maxPending);
        if (fate.kind !== 'lost') {
          photo.fate = fate;
          photo.settledAt = Date.now();
        }
      }
    };
    const tracker = setInterval(track, 200);
    const counts = () => {
      const settled = sent.filter((p) => p.fate);
      const refused = settled.filter((p) => p.fate!.kind === 'refused').length;
      return `sent ${sent.length}/${sends.length}, answered ${settled.length - refused}, refused ${refused}, waiting ${sent.length - settled.length}`;
    };
    const ticker = setInterval(() => progress(`[${at().toFixed(0).padStart(4)}s] ${counts()}`), 5000);

    const sender = (async () => {
      for (const send of sends) {
        await sleep(sendStart + send.atMs - Date.now());
        const photo = photos[send.photo % photos.length]!;
        const user = users[send.user]!;
        sent.push({ user, message: standIn.sendPhoto(user, [{ bytes: photo.bytes, width: photo.width, height: photo.height }]), sentAt: Date.now() });
      }
    })();
    const injector = (async () => {
      for (const fault of faultPlan) {
        await sleep(sendStart + fault.atMs - Date.now());
        const atS = at();
        const killedAt = Date.now();
        const index = fault.worker;
        const target = fault.kind === 'worker' ? workers[index]!.name : fault.kind;
        const pid = { worker: workers[index]!.pid, redis: redis.pid, bot: bot!.pid }[fault.kind];
        progress(`[${atS.toFixed(0).padStart(4)}s] SIGKILL ${target} (pid ${pid})`);
        if (fault.kind === 'worker') {
          const worker = workers[index]!;
          worker.kill();
          await worker.exited;
          await sleep(restartDelayMs);
          const restarted = startWorker(worker.name);
          workers[index] = restarted;
          await restarted.ready;
        } else if (fault.kind === 'redis') {
          process.kill(redis.pid, 'SIGKILL');
          while (isRunning(pid)) await sleep(20);
          await sleep(restartDelayMs);
          redis = await ensureLocalRedis({ dir: redisDir, port: redisPort });
        } else {
          bot!.kill('SIGKILL');
          await bot!.exit;
          await sleep(restartDelayMs);
          bot = await startBot();
        }
        const injected = { kind: fault.kind, target, pid, atS, downS: elapsed(killedAt) };
        faults.push(injected);
        progress(`[${at().toFixed(0).padStart(4)}s] ${target} is back, ${injected.downS.toFixed(1)} s after its SIGKILL`);
      }
    })();
    await Promise.all([sender, injector]);
    progress(`[${at().toFixed(0).padStart(4)}s] all photos sent and faults injected; waiting for the answers and the queues to empty`);

    const deadline = Date.now() + options.settleS * 1000;
    while (Date.now() < deadline && !(sent.every((p) => p.fate) && (await queuesIdle(queues)))) await sleep(500);
    // Time for a second answer (a redelivered update, a delivery run twice) to show up.
    await sleep(3000);
    clearInterval(tracker);
    clearInterval(ticker);
    track();
    progress(`[${at().toFixed(0).padStart(4)}s] ${counts()}; auditing`);

    const fates = sent.map((p) => photoFate(standIn, p.message, options.limits.maxPending));
    const keys = await auditKeys(client, prefix, queues, options.blobTtlS);
    const memory = sampler.stop();
    return summarise(options, sent, fates, faults, memory, keys, elapsed());
  } finally {
    sampler.stop();
    await Promise.all(queues.map((q) => q.close()));
    client.disconnect();
    if (bot && isRunning(bot.pid)) {
      bot.kill('SIGTERM');
      await bot.exit;
    }
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
    await standIn.close();
    await rm(workDir, { recursive: true, force: true });
    await rm(store.root, { recursive: true, force: true });
  }
}

/** Bursts of 1–6 photos (of 4 kinds) from one user each, 50–400 ms apart, starting at random moments of the run. */
function sendSchedule(random: SeededRandom, options: ChaosOptions): { atMs: number; user: number; photo: number }[] {
  const sends: { atMs: number; user: number; photo: number }[] = [];
  while (sends.length < options.photos) {
    const user = random.int(0, options.users - 1);
    let atMs = random.range(0, options.durationS * 1000);
    for (let n = Math.min(random.int(1, 6), options.photos - sends.length); n > 0; n--) {
      sends.push({ atMs, user, photo: random.int(0, 3) });
      atMs += random.range(50, 400);
    }
  }
  return sends.sort((a, b) => a.atMs - b.atMs);
}

/**
 * Each kind `faultsPerKind` times, at random moments between 10 % and 90 % of the run, in
 * time order; `worker` is the index of the worker a worker fault kills.
 */
function faultSchedule(random: SeededRandom, options: ChaosOptions): { atMs: number; kind: FaultKind; worker: number }[] {
  const kinds: FaultKind[] = ['worker', 'redis', 'bot'];
  const faults = kinds.flatMap((kind) => Array.from({ length: options.faultsPerKind }, () => ({ kind, atMs: random.range(0.1, 0.9) * options.durationS * 1000, worker: random.int(0, 1) })));
  return faults.sort((a, b) => a.atMs - b.atMs);
}

async function queuesIdle(queues: Queue[]): Promise<boolean> {
  for (const queue of queues) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized');
    if (Object.values(counts).some((n) => n > 0)) return false;
  }
  return true;
}

function summarise(options: ChaosOptions, sent: SentPhoto[], fates: PhotoFate[], faults: InjectedFault[], memory: RoleMemory[], keys: KeyAudit, seconds: number): ChaosReport {
  const refused: Record<RefusalReason, number> = { rate_limited: 0, too_many_pending: 0, queue_busy: 0, error: 0 };
  const examples: string[] = [];
  const example = (kind: string, i: number, what: string) => {
    if (examples.filter((e) => e.startsWith(kind)).length < 5) examples.push(`${kind}: chat ${sent[i]!.user.id} message ${sent[i]!.message.json.message_id}: ${what}`);
  };
  const answerSeconds: number[] = [];
  let answered = 0;
  let answeredWithFailure = 0;
  let reannounced = 0;
  let duplicated = 0;
  let lost = 0;
  fates.forEach((fate, i) => {
    const photo = sent[i]!;
    if (fate.kind === 'refused') {
      refused[fate.reason]++;
      if (fate.reason === 'error') example('refused without a reason', i, fate.text);
      return;
    }
    if (fate.kind === 'lost') {
      lost++;
      example('lost', i, fate.accepted ? 'queued, never answered' : 'no reply at all');
      return;
    }
    if (photo.settledAt !== undefined) answerSeconds.push((photo.settledAt - photo.sentAt) / 1000);
    if (fate.kind === 'duplicated') {
      duplicated++;
      example('duplicated', i, fate.answers.join(' | '));
      return;
    }
    answered++;
    if (fate.failure) {
      answeredWithFailure++;
      example('answered with a failure', i, fate.failure);
    }
    if (fate.reannounced) reannounced++;
  });
  const accepted = answered + duplicated + fates.filter((f) => f.kind === 'lost' && f.accepted).length;
  const problems: string[] = [];
  if (lost) problems.push(`${lost} photo(s) lost`);
  if (duplicated) problems.push(`${duplicated} photo(s) answered more than once`);
  if (refused.error) problems.push(`${refused.error} photo(s) refused without saying why`);
  for (const kind of ['worker', 'redis', 'bot'] as const) {
    if (!faults.some((f) => f.kind === kind)) problems.push(`no ${kind} fault was injected`);
  }
  if (keys.leaked.length) problems.push(`${keys.leaked.length} key(s) that would outlive their TTL: ${keys.leaked.slice(0, 5).join(', ')}`);
  if (keys.orphanJobs.length) problems.push(`${keys.orphanJobs.length} job hash(es) no queue tracks: ${keys.orphanJobs.slice(0, 5).join(', ')}`);
  const unfinished = Object.entries(keys.unfinishedJobs);
  if (unfinished.length) problems.push(`jobs left unfinished: ${unfinished.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  for (const role of memory) {
    if (role.maxBytes > options.rssLimitMb * 2 ** 20) problems.push(`${role.role} reached ${(role.maxBytes / 2 ** 20).toFixed(0)} MB RSS (limit ${options.rssLimitMb} MB)`);
  }
  return {
    options,
    sent: sent.length,
    accepted,
    answered,
    answeredWithFailure,
    reannounced,
    duplicated,
    lost,
    refused,
    answerSeconds: { p50: percentile(answerSeconds, 50), p95: percentile(answerSeconds, 95), max: Math.max(...answerSeconds) },
    faults,
    memory,
    keys,
    examples,
    problems,
    seconds,
  };
}
