import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RedisBlobStore } from '../shared/blob/redis-blob-store.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { outputFormats, type OutputFormat } from '../shared/queue/contracts.js';
import { translateQueue, translateQueueEvents } from '../shared/queue/queues.js';
import { createRedis, redisOptions, routeRedisErrors } from '../shared/queue/redis.js';
import { TranslateClient, type JobState } from '../shared/queue/translate-client.js';
import { startTranslateWorker } from '../worker/translate-worker.js';
import { CliError } from './cli-error.js';
import { redisForCli } from './redis-session.js';

export const translateUsage = `translate <image> [--style <name>] [--out <file>] [--size <px>] [--format png|jpeg|webp] [--inline]
  Styles <image> through the translate queue and writes the result.
  --inline   start a worker (and, without REDIS_URL, a private Redis) in this process`;

export async function translateCommand(argv: string[], config: Config, logger: Logger): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      style: { type: 'string' },
      out: { type: 'string' },
      size: { type: 'string' },
      format: { type: 'string' },
      inline: { type: 'boolean', default: false },
    },
  });
  const input = positionals[0];
  if (!input) throw new CliError(`missing <image>\nusage: ${translateUsage}`, 2);
  const format = (values.format ?? 'png') as OutputFormat;
  if (!outputFormats.includes(format)) throw new CliError(`--format must be one of ${outputFormats.join(', ')}`, 2);
  const size = values.size === undefined ? undefined : Number(values.size);
  if (size !== undefined && !(Number.isInteger(size) && size >= 16 && size <= 4096)) throw new CliError('--size must be a whole number of pixels from 16 to 4096', 2);
  const image = await readFile(input).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${input}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 2, { cause: err });
  });

  const redisSession = await redisForCli(config, values.inline);
  const redis = createRedis(redisSession.url);
  const queue = routeRedisErrors(translateQueue(redisOptions(redisSession.url), config));
  const events = routeRedisErrors(translateQueueEvents(redisOptions(redisSession.url), config));
  const worker = values.inline ? await startTranslateWorker({ config, logger, redisUrl: redisSession.url, healthPort: false }) : undefined;
  try {
    await events.waitUntilReady();
    const client = new TranslateClient(redis, queue, events, new RedisBlobStore(redis, config.QUEUE_PREFIX, config.BLOB_TTL_S), config.BLOB_TTL_S);
    const jobId = await client.submit(image, {
      platform: 'cli',
      outputFormat: format,
      style: values.style,
      outputSize: size,
    });
    const status = statusLine();
    const result = await client.wait(jobId, status.show).catch((err: unknown) => {
      status.end();
      if (err instanceof UserError) throw new CliError(err.message, 2, { cause: err });
      throw err;
    });
    status.end();
    const out = values.out ?? `${path.basename(input, path.extname(input))}-${result.style}.${format === 'jpeg' ? 'jpg' : format}`;
    await writeFile(out, await client.takeOutput(result));
    if (result.requestedStyle) console.log(`No model for "${result.requestedStyle}" is installed; used "${result.style}" instead.`);
    const t = result.timings;
    console.log(
      `${out}: ${result.width}×${result.height} ${result.style} (model ${result.modelVersion}, ${result.backend}); ` +
        `queued ${ms(t.queueWaitMs)}, decode ${ms(t.decodeMs)}, model ${ms(t.inferenceMs)}, encode ${ms(t.encodeMs)}`,
    );
  } finally {
    await worker?.close();
    await events.close();
    await queue.close();
    redis.disconnect();
    await redisSession.close();
  }
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`;
}

/** One status line, rewritten in place on a terminal and printed per change otherwise. */
function statusLine(): { show: (s: JobState) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let last = '';
  return {
    show(s) {
      const text =
        s.state === 'queued' ? `queued${s.position ? ` — position ${s.position}` : ''}` : s.state === 'running' ? `running — ${s.progress.stage} ${Math.round(s.progress.percent)}%` : 'done';
      if (text === last) return;
      last = text;
      process.stderr.write(tty ? `\r\x1b[K${text}` : `${text}\n`);
    },
    end() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}
