import type { ChaosReport } from './chaos-run.js';

/** The results table of a chaos run, as `npm run chaos` prints it. */
export function formatChaosReport(report: ChaosReport): string {
  const { options: o, refused, answerSeconds: t, keys } = report;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const row = (name: string, value: string | number) => `| ${name.padEnd(34)} | ${String(value).padEnd(52)} |`;
  const totalRefused = Object.values(refused).reduce((a, b) => a + b, 0);
  const lines = [
    `npm run chaos — seed ${o.seed}: ${o.users} users, ${o.photos} photos over ${o.durationS} s, ${o.faultsPerKind} SIGKILL(s) of each kind; ` +
      `QUEUE_CAP ${o.limits.queueCap}, USER_RATE_LIMIT ${o.limits.rateLimit}/${o.limits.rateWindowS} s, USER_MAX_PENDING ${o.limits.maxPending}, BLOB_TTL_S ${o.blobTtlS}`,
    '',
    row('what', 'result'),
    `|${'-'.repeat(36)}|${'-'.repeat(54)}|`,
    row('photos sent', report.sent),
    row('accepted ("Queued")', report.accepted),
    row('answered exactly once', `${report.answered} (${report.answered - report.answeredWithFailure} photo, ${report.answeredWithFailure} failure message)`),
    row('announced twice ("Queued" again)', report.reannounced),
    row('duplicated (two answers)', report.duplicated),
    row('lost (no answer)', report.lost),
    row('refused, told why', `${totalRefused - refused.error} (rate limit ${refused.rate_limited}, too many pending ${refused.too_many_pending}, busy ${refused.queue_busy})`),
    row('refused without a reason', refused.error),
    row('time to answer p50 / p95 / max', `${t.p50.toFixed(1)} s / ${t.p95.toFixed(1)} s / ${t.max.toFixed(1)} s`),
    ...report.faults.map((f) => row(`fault: SIGKILL ${f.target}`, `at ${f.atS.toFixed(1)} s (pid ${f.pid}), back after ${f.downS.toFixed(1)} s`)),
    ...report.memory.map((m) => row(`max RSS ${m.role}`, `${mb(m.maxBytes)} (last ${mb(m.lastBytes)}, ${m.samples} samples)`)),
    row('keys left (blobs)', `${keys.keys} (${keys.blobs}), all blobs expire within ${o.blobTtlS} s: ${keys.leaked.some((k) => k.includes(':blob:')) ? 'no' : 'yes'}`),
    row('keys without their TTL', keys.leaked.length),
    row('orphan job hashes', keys.orphanJobs.length),
    row(
      'jobs left unfinished',
      Object.values(keys.unfinishedJobs).reduce((a, b) => a + b, 0),
    ),
    row(
      'finished jobs kept (retention)',
      Object.entries(keys.finishedJobs)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ') || 'none',
    ),
    row('run time', `${report.seconds.toFixed(0)} s`),
    '',
    ...report.examples,
    report.problems.length
      ? `FAILED: ${report.problems.join('; ')}`
      : 'PASSED: every accepted photo got exactly one answer, every refusal said why, no key outlives its TTL, memory stayed bounded',
  ];
  return lines.join('\n');
}
