import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { Queue } from 'bullmq';
import { ensureLocalRedis, freePort } from '../../shared/process/local-redis.js';
import { queueNames } from '../../shared/queue/contracts.js';
import { redisOptions } from '../../shared/queue/redis.js';
import { appEnv, descendants, isRunning, startApp, type AppProcess } from '../helpers/app-process.js';
import { makePhoto } from '../helpers/images.js';
import { slowModel, tinyModelStore } from '../helpers/tiny-model.js';
import { waitFor } from '../helpers/wait-for.js';

/** `npm start` as a user runs it: real processes, the local Redis on a free port, signals to the process group. */

let work: string;
let slowModels: string;
let fastModels: string;
before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'animebot-start-'));
  slowModels = (await tinyModelStore(['sketch'], slowModel.inputSize, slowModel.hiddenFilters)).store.root;
  fastModels = (await tinyModelStore(['sketch'], 64)).store.root;
});
after(async () => {
  // A test that failed before its app stopped leaves the app's Redis running (it has a session of its own): stop it.
  for (const name of await readdir(work)) {
    const lock = await lockOf({ REDIS_DATA_DIR: path.join(work, name, 'redis') }).catch(() => undefined);
    if (lock && isRunning(lock.redisPid)) process.kill(lock.redisPid, 'SIGKILL');
  }
  for (const dir of [work, slowModels, fastModels]) await rm(dir, { recursive: true, force: true });
});

async function settings(name: string, modelsDir: string): Promise<NodeJS.ProcessEnv> {
  return appEnv({
    MODELS_DIR: modelsDir,
    REDIS_DATA_DIR: path.join(work, name, 'redis'),
    LOCAL_REDIS_PORT: String(await freePort()),
    DATA_DIR: path.join(work, name, 'data'),
    RUNS_DIR: path.join(work, name, 'runs'),
  });
}

function startNpmStart(env: NodeJS.ProcessEnv): AppProcess {
  return startApp('scripts/start.ts', [], env);
}

async function lockOf(env: NodeJS.ProcessEnv): Promise<{ ownerPid: number; redisPid: number; port: number }> {
  return JSON.parse(await readFile(path.join(env.REDIS_DATA_DIR!, 'animebot-redis.json'), 'utf8')) as { ownerPid: number; redisPid: number; port: number };
}

it('Ctrl-C while a job runs: the job finishes and the CLI gets its picture, then everything stops (Redis last) with exit 0', async (t) => {
  const env = await settings('sigint', slowModels);
  const app = startNpmStart(env);
  try {
    await app.waitForLine(/try it: npm run cli -- translate photo\.jpg {3}# style \\"sketch\\"/);
    const { redisPid, port } = await lockOf(env);
    const photo = path.join(work, 'sigint', 'photo.png');
    const out = path.join(work, 'sigint', 'photo-sketch.png');
    await writeFile(photo, await makePhoto(96, 64, 'png'));
    // No REDIS_URL: the CLI finds the local Redis of the running start by itself.
    const cli = startApp('cli/main.ts', ['translate', photo, '--out', out], env);

    const queue = new Queue(queueNames.translate, { connection: redisOptions(`redis://127.0.0.1:${port}`), prefix: 'animebot' });
    await waitFor('the job to run', async () => (await queue.getActiveCount()) === 1, { timeoutMs: 60_000 });
    await queue.close();

    const interruptedAt = Date.now();
    process.kill(-app.pid, 'SIGINT');
    const exit = await app.exit;
    assert.equal(exit.code, 0, app.lines.slice(-15).join('\n'));
    const logs = app.logs();
    const said = (name: string, msg: RegExp) => logs.findIndex((l) => l.name === name && msg.test(l.msg ?? ''));
    assert.ok(said('animebot', /^SIGINT: finishing in-flight work.*Ctrl-C again to stop at once/) >= 0, 'it says a graceful stop is under way');
    assert.ok(said('worker', /^translate job done/) >= 0, 'the job ran to its end');
    const workerStopped = said('worker', /^stopped cleanly/);
    assert.ok(workerStopped >= 0 && workerStopped < said('animebot', /^stopped cleanly/), 'the worker stopped before the rest');
    assert.ok(!isRunning(redisPid), 'the local Redis is stopped');
    assert.ok(!existsSync(path.join(env.REDIS_DATA_DIR!, 'animebot-redis.json')), 'its lock file is gone');

    // The next start's Redis (same port, same data on disk): the finished job is there, nothing waits or
    // runs again, and a CLI that was still waiting for its answer gets it.
    const redis = await ensureLocalRedis({ dir: env.REDIS_DATA_DIR!, port });
    const again = new Queue(queueNames.translate, { connection: redisOptions(redis.url), prefix: 'animebot' });
    try {
      assert.deepEqual(await again.getJobCounts('completed', 'active', 'waiting'), { completed: 1, active: 0, waiting: 0 });
      assert.equal((await cli.exit).code, 0, cli.lines.join('\n'));
      assert.ok(existsSync(out), 'the CLI wrote the styled picture');
    } finally {
      await again.close();
      await redis.stop();
    }
    // Within the job's time plus a few seconds: the job ran to its end after Ctrl-C, and stopping took little after it.
    const jobDoneAt = Number(logs[said('worker', /^translate job done/)]!.time);
    t.diagnostic(`Ctrl-C → job done ${jobDoneAt - interruptedAt} ms → exit ${exit.at - jobDoneAt} ms later`);
    assert.ok(jobDoneAt > interruptedAt, 'the job was still running at Ctrl-C');
    assert.ok(exit.at - jobDoneAt < 5000, `exited ${exit.at - jobDoneAt} ms after the job finished`);
  } finally {
    if (isRunning(app.pid)) process.kill(-app.pid, 'SIGKILL');
  }
});

it('a second Ctrl-C stops at once, says so, and leaves no process behind', async () => {
  // Four times the slow model's pixels: the predict outlasts the test's patience by far.
  const { store } = await tinyModelStore(['sketch'], slowModel.inputSize * 2, slowModel.hiddenFilters);
  const env = await settings('twice', store.root);
  const app = startNpmStart(env);
  const photo = path.join(work, 'twice', 'photo.png');
  let cli: AppProcess | undefined;
  try {
    await app.waitForLine(/try it: npm run cli/);
    const { redisPid, port } = await lockOf(env);
    await writeFile(photo, await makePhoto(96, 64, 'png'));
    cli = startApp('cli/main.ts', ['translate', photo, '--out', path.join(work, 'twice', 'out.png')], env);
    const queue = new Queue(queueNames.translate, { connection: redisOptions(`redis://127.0.0.1:${port}`), prefix: 'animebot' });
    await waitFor('the job to run', async () => (await queue.getActiveCount()) === 1, { timeoutMs: 60_000 });
    await queue.close();
    const everything = [app.pid, ...descendants(app.pid), redisPid];

    process.kill(-app.pid, 'SIGINT');
    await app.waitForLine(/finishing in-flight work/);
    const secondAt = Date.now();
    process.kill(-app.pid, 'SIGINT');
    const exit = await app.exit;
    assert.equal(exit.code, 130);
    assert.ok(exit.at - secondAt < 3000, `exited ${exit.at - secondAt} ms after the second Ctrl-C`);
    assert.ok(
      app.logs().some((l) => l.name === 'animebot' && (l.msg ?? '').startsWith('second signal: stopping at once')),
      'it says so',
    );
    await waitFor('every process to be gone', () => everything.every((pid) => !isRunning(pid)), { timeoutMs: 10_000 });
  } finally {
    if (cli && isRunning(cli.pid)) process.kill(-cli.pid, 'SIGKILL');
    if (isRunning(app.pid)) process.kill(-app.pid, 'SIGKILL');
    await rm(store.root, { recursive: true, force: true });
  }
});

it('a second start on the same data directory is refused; after a crash the next start reuses its Redis; a hang-up leaves no process behind', async () => {
  const env = await settings('reuse', fastModels);
  const first = startNpmStart(env);
  let third: AppProcess | undefined;
  let redisPid = 0;
  try {
    await first.waitForLine(/try it: npm run cli/);
    ({ redisPid } = await lockOf(env));

    const second = startNpmStart(env);
    assert.equal((await second.exit).code, 2);
    assert.match(second.lines.join('\n'), new RegExp(`animebot is already running \\(pid ${first.pid}\\) with its Redis on port ${env.LOCAL_REDIS_PORT}`));
    assert.ok(isRunning(first.pid), 'the refused start left the running one alone');

    // The first start dies without cleaning up: its worker and trainer follow it, its Redis stays.
    const firstServices = descendants(first.pid).filter((pid) => pid !== redisPid);
    assert.equal(firstServices.length, 2, 'a worker and a trainer process');
    process.kill(first.pid, 'SIGKILL');
    await first.exit;
    await waitFor('the worker and trainer to stop', () => firstServices.every((pid) => !isRunning(pid)), { timeoutMs: 30_000 });
    assert.ok(isRunning(redisPid));

    third = startNpmStart(env);
    await third.waitForLine(/try it: npm run cli/);
    assert.ok(
      third.logs().some((l) => l.redisPid === redisPid && (l.msg ?? '').startsWith('reusing the local redis-server')),
      'the same server, taken over',
    );

    // Closing the terminal hangs up its foreground process group.
    const everything = [third.pid, ...descendants(third.pid), redisPid];
    process.kill(-third.pid, 'SIGHUP');
    assert.equal((await third.exit).code, 0, third.lines.slice(-10).join('\n'));
    await waitFor('every process to be gone', () => everything.every((pid) => !isRunning(pid)), { timeoutMs: 15_000 });
  } finally {
    for (const app of [first, third]) if (app && isRunning(app.pid)) process.kill(-app.pid, 'SIGKILL');
    if (isRunning(redisPid)) process.kill(redisPid, 'SIGKILL');
  }
});

it('a Redis restart: the worker logs one line when it is lost and one when it is back, no stack trace, and keeps working', async () => {
  const dir = path.join(work, 'restart', 'redis');
  const port = await freePort();
  let redis = await ensureLocalRedis({ dir, port });
  const env = appEnv({ REDIS_URL: redis.url, MODELS_DIR: fastModels });
  const worker = startApp('worker/main.ts', [], env);
  try {
    await worker.waitForLine(/translate worker ready/);
    process.kill(redis.pid, 'SIGKILL');
    await worker.waitForLine(/lost the connection to Redis/);
    await new Promise((r) => setTimeout(r, 2000));
    redis = await ensureLocalRedis({ dir, port });
    await worker.waitForLine(/Redis at 127\.0\.0\.1:\d+ is back after [\d.]+ s \(\d+ reconnect attempts?\)/, 30_000);

    const photo = path.join(work, 'restart', 'photo.png');
    await writeFile(photo, await makePhoto(64, 48, 'png'));
    const cli = startApp('cli/main.ts', ['translate', photo, '--out', path.join(work, 'restart', 'out.png')], env);
    assert.equal((await cli.exit).code, 0, cli.lines.join('\n'));

    const output = worker.lines.join('\n');
    assert.equal(worker.lines.filter((l) => l.includes('lost the connection to Redis')).length, 1, output);
    assert.equal(worker.lines.filter((l) => l.includes('is back after')).length, 1, output);
    assert.doesNotMatch(output, /Unhandled error event|^\s+at /m, 'no stack trace');
    assert.doesNotMatch(output, /"level":50/, 'no error lines');
  } finally {
    worker.kill('SIGTERM');
    await worker.exit;
    await redis.stop();
  }
});
