import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, open, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import { z } from 'zod';

export interface LocalRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** `npm start`'s own server: `reused` when it was left running by an earlier start (which then died). */
export interface LocalRedisLease extends LocalRedis {
  reused: boolean;
}

export class RedisNotInstalledError extends Error {
  override readonly name = 'RedisNotInstalledError';
  constructor() {
    super(
      'redis-server was not found on PATH. Install Redis (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' + 'macOS: `brew install redis`) or set REDIS_URL to an existing server.',
    );
  }
}

/** A second `npm start` on a data directory in use, or a port someone else holds. */
export class LocalRedisUnavailableError extends Error {
  override readonly name = 'LocalRedisUnavailableError';
}

/**
 * Durability of the local server (`npm start`), in one place for everything that runs one
 * with data. AOF with `appendfsync everysec`: a background fsync once a second, so a crash
 * of the machine loses at most about a second of queue writes, at a fraction of the cost
 * `always` (an fsync on every write) has; `no` leaves it to the OS (up to ~30 s). The RDB
 * snapshot (`save 60 1`) keeps restarts fast.
 */
export const durableRedisArgs: readonly string[] = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '60 1'];

const lockFileName = 'animebot-redis.json';
const lockSchema = z.object({ ownerPid: z.number().int(), redisPid: z.number().int(), port: z.number().int() });
type Lock = z.infer<typeof lockSchema>;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway `redis-server` child on a free loopback port, without persistence (tests, the CLI's --inline). */
export async function startLocalRedis(options: { dir: string }): Promise<LocalRedis> {
  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const child = await spawnRedis({ dir: options.dir, port, args: ['--appendonly', 'no', '--save', ''], detached: false });
  return { url: urlOf(port), port, pid: child.pid!, stop: () => stopChild(child) };
}

/**
 * `npm start`'s server on `port` with its data in `dir`, guarded by a lock file there
 * (owner pid, server pid, port): a server that an earlier start left running (its owner
 * died) is taken over; while its owner lives, a second start is refused. The server runs in
 * its own session, so the terminal's Ctrl-C and hang-up reach only us and we stop it last.
 */
export async function ensureLocalRedis(options: { dir: string; port: number }): Promise<LocalRedisLease> {
  await mkdir(options.dir, { recursive: true });
  const dir = await realpath(options.dir);
  const lockPath = path.join(dir, lockFileName);
  for (let attempt = 0; attempt < 3; attempt++) {
    const created = await open(lockPath, 'wx').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return undefined;
      throw err;
    });
    if (!created) {
      const lock = await readLock(dir);
      if (lock && lock.ownerPid !== process.pid && isAlive(lock.ownerPid)) {
        throw new LocalRedisUnavailableError(
          `animebot is already running (pid ${lock.ownerPid}) with its Redis on port ${lock.port} and data in ${dir}. ` +
            'Stop it first (Ctrl-C in its terminal), or give this one another REDIS_DATA_DIR and LOCAL_REDIS_PORT.',
        );
      }
      if (lock && isAlive(lock.redisPid) && (await servesDir(lock.port, dir))) {
        await writeLock(dir, { ...lock, ownerPid: process.pid });
        return { url: urlOf(lock.port), port: lock.port, pid: lock.redisPid, reused: true, stop: () => stopPid(lock.redisPid, lockPath) };
      }
      // Left by a start whose server is gone too.
      await rm(lockPath, { force: true });
      continue;
    }
    await created.close();
    try {
      if (!(await portIsFree(options.port))) {
        throw new LocalRedisUnavailableError(
          `port ${options.port} is taken by another program, so the local Redis cannot start. ` + 'Set LOCAL_REDIS_PORT to a free port, or REDIS_URL to a Redis server you run.',
        );
      }
      const child = await spawnRedis({
        dir,
        port: options.port,
        args: [...durableRedisArgs, '--logfile', path.join(dir, 'redis-server.log')],
        detached: true,
      });
      await writeLock(dir, { ownerPid: process.pid, redisPid: child.pid!, port: options.port });
      return {
        url: urlOf(options.port),
        port: options.port,
        pid: child.pid!,
        reused: false,
        stop: async () => {
          await stopChild(child);
          await rm(lockPath, { force: true });
        },
      };
    } catch (err) {
      await rm(lockPath, { force: true });
      throw err;
    }
  }
  throw new LocalRedisUnavailableError(`another start is taking ${lockPath} at the same time; try again`);
}

/** The URL of `npm start`'s local server for `dir` while it runs (what the CLI uses without REDIS_URL). */
export async function findLocalRedis(dir: string): Promise<string | undefined> {
  const real = await realpath(dir).catch(() => undefined);
  if (!real) return undefined;
  const lock = await readLock(real);
  if (!lock || !isAlive(lock.redisPid) || !(await servesDir(lock.port, real))) return undefined;
  return urlOf(lock.port);
}

function urlOf(port: number): string {
  return `redis://127.0.0.1:${port}`;
}

async function spawnRedis(options: { dir: string; port: number; args: string[]; detached: boolean }): Promise<ChildProcess> {
  const args = ['--port', String(options.port), '--bind', '127.0.0.1', '--dir', options.dir, '--daemonize', 'no', '--loglevel', 'warning', ...options.args];
  const child = spawn('redis-server', args, { stdio: 'ignore', detached: options.detached });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new RedisNotInstalledError() : err));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} (see its log in ${options.dir})`)));
  });
  exited.catch(() => undefined);
  await Promise.race([waitForPing(urlOf(options.port)), exited]);
  return child;
}

async function readLock(dir: string): Promise<Lock | undefined> {
  const text = await readFile(path.join(dir, lockFileName), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = lockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function writeLock(dir: string, lock: Lock): Promise<void> {
  await writeFile(path.join(dir, lockFileName), JSON.stringify(lock));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Whether a Redis answers on `port` with `dir` as its data directory — ours, not someone else's. */
async function servesDir(port: number, dir: string): Promise<boolean> {
  const client = new Redis(urlOf(port), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const reply = await client.config('GET', 'dir');
    return reply[1] === dir;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function waitForPing(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      client.disconnect();
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Stops a server we took over (not our child, so no exit event): SIGTERM, then wait until it is gone. */
async function stopPid(pid: number, lockPath: string): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
  await rm(lockPath, { force: true });
}
