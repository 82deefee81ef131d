import { z } from 'zod';

const csvIds = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^\d+$/, 'a comma-separated list of numeric user ids')));

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z.url().optional();

/** Every setting of the project, in one place. `.env.example` lists the same names. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  REDIS_URL: z.url().optional(),
  REDIS_DATA_DIR: z.string().default('var/redis'),
  /** Port of the local server `npm start` runs without REDIS_URL; fixed, so that the CLI and a restart find it. */
  LOCAL_REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6380),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[\w-]+$/)
    .default('animebot'),

  MODELS_DIR: z.string().default('models'),
  DEFAULT_STYLE: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'a style name: lower-case letters, digits and dashes')
    .default('sketch'),

  /** `onnx` and `auto` serve versions with a model.onnx by ONNX Runtime (worker/model-cache.ts); tfjs runs the rest and training. */
  TF_BACKEND: z.enum(['auto', 'onnx', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  TF_THREADS: z.coerce.number().int().min(1).max(256).optional(),

  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Dynamic batching: most images of one model that one predict takes at once; 1 turns batching off. */
  WORKER_MAX_BATCH: z.coerce.number().int().min(1).max(64).default(4),
  /** Dynamic batching: how long the first image of a batch waits for others before the predict runs. */
  WORKER_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(1000).default(10),
  JOB_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  /** How long a job's lock lasts without renewal; a worker that dies loses its jobs after this. */
  JOB_LOCK_MS: z.coerce.number().int().min(500).default(30_000),
  /** How often workers look for stalled jobs (active jobs whose lock expired). */
  STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  BLOB_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  MAX_INPUT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),
  MAX_INPUT_PIXELS: z.coerce.number().int().min(1024).default(40_000_000),
  MAX_OUTPUT_SIDE: z.coerce.number().int().min(64).max(4096).default(1024),
  /**
   * Fully convolutional models run at the photo's own resolution: its longest side scaled
   * down to this at most (then resized to the output size). Memory and time grow with the
   * pixels (docs/performance.md).
   */
  MAX_INFERENCE_SIDE: z.coerce.number().int().min(768).max(4096).default(1024),
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Where the trainer's datasets live; it reads them, and adds what admins' /curate sends it (the curate queue). */
  DATA_DIR: z.string().default('data'),
  /** Training runs: checkpoints and reports, one folder per run. */
  RUNS_DIR: z.string().default('runs'),
  /**
   * Converted Keras VGG16/VGG19 (tfjs model.json and shards) for the trainer's perceptual and
   * LPIPS losses; unset: a seeded random conv network. Checked when the trainer loads it.
   */
  FEATURE_WEIGHTS_DIR: z.string().min(1).optional(),
  /** Converted InceptionV3 for FID/KID; unset: a seeded random conv network (reports say which). */
  INCEPTION_WEIGHTS_DIR: z.string().min(1).optional(),
  /**
   * Periodic retraining, per style: `style=cron;style=cron`, e.g. `sketch=0 3 * * 0` (Sundays
   * at 03:00). Empty: no schedule.
   */
  TRAIN_SCHEDULE: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9-]+=(\S+\s+){4}\S+$/, 'style=<cron with 5 fields>, separated by ";"'))),

  /** Chat bots: requests one user may make per USER_RATE_WINDOW_S seconds. */
  USER_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  USER_RATE_WINDOW_S: z.coerce.number().int().min(1).default(60),
  /** Chat bots: requests of one user that may wait or run at once. */
  USER_MAX_PENDING: z.coerce.number().int().min(1).default(3),
  /** Chat bots: waiting translate jobs at which new requests get "busy, try again later". */
  QUEUE_CAP: z.coerce.number().int().min(1).default(200),

  /** The web playground and admin dashboard (0: any free port). */
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Password of the web admin dashboard at /admin; unset: the admin area is off. */
  ADMIN_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),

  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]+$/, 'a bot token from @BotFather, like 123456:ABC-DEF')
    .optional(),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  TELEGRAM_ADMIN_IDS: csvIds,
  TELEGRAM_WEBHOOK_URL: optionalUrl,
  /** Port the webhook server listens on (behind the proxy that TELEGRAM_WEBHOOK_URL reaches). */
  TELEGRAM_WEBHOOK_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** Secret Telegram sends with every webhook call (X-Telegram-Bot-Api-Secret-Token). */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[\w-]{1,256}$/, '1-256 letters, digits, "_" or "-"')
    .optional(),
  /** Largest file the Bot API lets bots download: 20 MB at api.telegram.org, up to 2 GB with a self-hosted server. */
  TELEGRAM_DOWNLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(20 * 1024 * 1024),

  DISCORD_TOKEN: z.string().min(10, 'a bot token from the Discord developer portal').optional(),
  DISCORD_APPLICATION_ID: z.string().regex(/^\d+$/, 'the numeric application id').optional(),
  DISCORD_GUILD_ID: z.string().regex(/^\d+$/, 'a numeric guild id').optional(),
  DISCORD_API_BASE: z.url().default('https://discord.com/api'),
  DISCORD_ADMIN_IDS: csvIds,
  /** The application's public key (developer portal): set, interactions come by HTTP to DISCORD_INTERACTIONS_PORT instead of the gateway. */
  DISCORD_PUBLIC_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "the application's public key from the developer portal (64 hex digits)")
    .optional(),
  /** Port of the HTTP interactions endpoint (`/interactions`, behind the proxy that the Interactions Endpoint URL reaches). */
  DISCORD_INTERACTIONS_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** How long Discord accepts an interaction's token (15 min); later answers go to the channel or by DM. Shorter only for tests. */
  DISCORD_INTERACTION_TTL_MS: z.coerce.number().int().min(1000).max(900_000).default(900_000),

  PRETTY_LOGS: bool.optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses settings from the environment. Empty strings count as unset, so that
 * `FOO=` in an env file does not fail a `.url()` check.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  const issues = parsed.success ? crossFieldIssues(parsed.data) : parsed.error.issues.map((issue) => ({ name: String(issue.path[0] ?? ''), message: issue.message }));
  if (parsed.success && issues.length === 0) return parsed.data;
  const lines = issues.map(({ name, message }) => `  ${name}: ${message} (got ${JSON.stringify(present[name] ?? null)})`);
  throw new ConfigError(`Invalid settings:\n${lines.join('\n')}`);
}

/** Rules that span settings (kept out of configSchema, which stays a plain object whose keys are the settings). */
function crossFieldIssues(config: Config): { name: string; message: string }[] {
  // Without the secret, anyone who finds the URL could post updates in any user's name, an admin's included.
  return config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET
    ? [{ name: 'TELEGRAM_WEBHOOK_SECRET', message: 'required with TELEGRAM_WEBHOOK_URL (the webhook refuses updates without it)' }]
    : [];
}
