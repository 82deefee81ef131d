import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatChaosReport } from './chaos-report.js';
import { defaultChaosOptions, runChaos } from './chaos-run.js';

/**
 * The short version of `npm run chaos` (bench/chaos.ts): fewer users and photos, one SIGKILL
 * of each kind. A rate limit of 3 per user makes every user who sends 4 or more photos
 * meet a refusal, so the refusals' texts are checked too.
 */
it('under load, with a worker, Redis and the bot each SIGKILLed once, every accepted photo gets exactly one answer and every refusal says why', { timeout: 300_000 }, async () => {
  const report = await runChaos(
    {
      ...defaultChaosOptions,
      users: 8,
      photos: 40,
      durationS: 15,
      faultsPerKind: 1,
      settleS: 180,
      limits: { queueCap: 8, rateLimit: 3, rateWindowS: 60, maxPending: 2 },
    },
    (line) => console.log(line),
  );
  console.log(formatChaosReport(report));
  assert.deepEqual(report.faults.map((f) => f.kind).sort(), ['bot', 'redis', 'worker']);
  const refused = Object.values(report.refused).reduce((a, b) => a + b, 0);
  assert.equal(report.accepted + refused, report.sent, 'every photo was either accepted or refused');
  assert.ok(report.accepted >= 8, `${report.accepted} accepted`);
  assert.ok(refused > 0, 'users over the rate limit were refused');
  assert.equal(report.refused.error, 0, 'every refusal said why');
  assert.equal(report.lost, 0, 'nothing lost');
  assert.equal(report.duplicated, 0, 'nothing answered twice');
  assert.equal(report.answered, report.accepted);
  assert.deepEqual(report.keys.leaked, [], 'no key outlives its TTL');
  assert.deepEqual(report.keys.orphanJobs, []);
  assert.deepEqual(report.keys.unfinishedJobs, {}, 'no job left behind');
  assert.deepEqual(report.problems, []);
});
