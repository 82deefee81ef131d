import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { runCancelledText, runsText } from '../bot/core/messages.js';
import type { Config } from '../shared/config.js';
import { UserError } from '../shared/errors.js';
import { queueNames } from '../shared/queue/contracts.js';
import { createRedis, redisOptions, routeRedisErrors } from '../shared/queue/redis.js';
import { TrainControl } from '../shared/queue/train-control.js';
import { TrainRuns } from '../shared/queue/train-runs.js';
import { CliError } from './cli-error.js';
import { runningRedisUrl } from './redis-session.js';

export const runsUsage = `runs                               training and evaluation runs on the train queue
cancel <job id>                    cancel a run: one not started is removed, a running one stops
                                   after its current training step and keeps its checkpoint`;

/** `runs` and `cancel`: what the bots' admin commands do, from the shell, with the same texts. */
export async function runsCommand(command: 'runs' | 'cancel', argv: string[], config: Config): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [jobId] = positionals;
  if (command === 'runs') return printFromRuns(config, async (runs) => runsText(await runs.list()));
  if (!jobId) throw new CliError(`usage: ${runsUsage}`, 2);
  return printFromRuns(config, async (runs) => runCancelledText(await runs.cancel(jobId)));
}

/** Runs `action` against the train queue of the running animebot (or REDIS_URL) and prints its text; the admin's mistakes exit with 2. */
async function printFromRuns(config: Config, action: (runs: TrainRuns) => Promise<string>): Promise<void> {
  const url = await runningRedisUrl(config);
  if (!url) throw new CliError('animebot is not running here: start it with `npm start`, or set REDIS_URL to the Redis that the trainer and the bots use.', 1);
  const redis = createRedis(url);
  const queue = routeRedisErrors(new Queue(queueNames.train, { connection: redisOptions(url), prefix: config.QUEUE_PREFIX }));
  try {
    console.log(await action(new TrainRuns(queue, new TrainControl(redis, config.QUEUE_PREFIX))));
  } catch (err) {
    if (err instanceof UserError) throw new CliError(err.message, 2, { cause: err });
    throw err;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
