/**
 * `npm run chaos` (issue 13): faults under load, end to end. A local `redis-server` with the
 * durability `npm start` gives it (`durableRedisArgs`: AOF with `appendfsync everysec`),
 * two translate workers in child processes as `npm start` runs them, the bot process on the
 * Telegram Bot API stand-in, and simulated users sending photos in seeded bursts. At seeded
 * moments a worker, Redis and the bot are SIGKILLed and started again (a killed worker is
 * restarted after a second, as a supervisor such as docker-compose's `restart:` would;
 * `npm start` itself stops when a worker dies). Prints the results table; exits 1 when a
 * photo was lost or answered twice, a refusal did not say why, a key outlives its TTL, a
 * job was left unfinished or a process went over --rss-limit-mb.
 *
 * Why `everysec`: Redis writes the AOF buffer to the file before it replies, so a SIGKILL of
 * the Redis process loses nothing acknowledged (the kernel still has the pages); what
 * everysec risks is up to about a second of writes (two when the disk is slow to fsync) on a
 * crash of the machine, at a fraction of the cost of `always` (an fsync per write). This run
 * shows what a Redis SIGKILL does to requests in flight: reconnects, replayed commands, jobs
 * whose lock lapsed while it was down.
 *
 * Options (defaults in defaultChaosOptions, test/chaos/chaos-run.ts): --users --photos
 * --seed --duration (seconds of sending) --faults (SIGKILLs of each kind) --settle (longest
 * wait for the answers after the last photo; a delivery cut off mid-send is retried when
 * its 120 s claim lapses) --queue-cap --rate-limit --rate-window --max-pending --blob-ttl
 * --rss-limit-mb --log-level (of the workers and the bot).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultChaosOptions, runChaos } from '../test/chaos/chaos-run.js';
import { formatChaosReport } from '../test/chaos/chaos-report.js';

const d = defaultChaosOptions;
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: String(d.users) },
    photos: { type: 'string', default: String(d.photos) },
    seed: { type: 'string', default: String(d.seed) },
    duration: { type: 'string', default: String(d.durationS) },
    faults: { type: 'string', default: String(d.faultsPerKind) },
    settle: { type: 'string', default: String(d.settleS) },
    'queue-cap': { type: 'string', default: String(d.limits.queueCap) },
    'rate-limit': { type: 'string', default: String(d.limits.rateLimit) },
    'rate-window': { type: 'string', default: String(d.limits.rateWindowS) },
    'max-pending': { type: 'string', default: String(d.limits.maxPending) },
    'blob-ttl': { type: 'string', default: String(d.blobTtlS) },
    'rss-limit-mb': { type: 'string', default: String(d.rssLimitMb) },
    'log-level': { type: 'string', default: d.childLogLevel },
  },
});
const positive = z.coerce.number().int().positive();
const options = {
  users: positive.parse(values.users),
  photos: positive.parse(values.photos),
  seed: z.coerce.number().int().nonnegative().parse(values.seed),
  durationS: positive.parse(values.duration),
  faultsPerKind: positive.parse(values.faults),
  settleS: positive.parse(values.settle),
  rssLimitMb: positive.parse(values['rss-limit-mb']),
  limits: {
    queueCap: positive.parse(values['queue-cap']),
    rateLimit: positive.parse(values['rate-limit']),
    rateWindowS: positive.parse(values['rate-window']),
    maxPending: positive.parse(values['max-pending']),
  },
  blobTtlS: z.coerce.number().int().min(60).parse(values['blob-ttl']),
  childLogLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).parse(values['log-level']),
};

const report = await runChaos(options, (line) => console.log(line));
console.log(`\n${formatChaosReport(report)}`);
process.exit(report.problems.length ? 1 : 0);
