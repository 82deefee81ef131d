import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { Redis } from 'ioredis';

export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export class RedisNotInstalledError extends Error {
  override readonly name = 'RedisNotInstalledError';
  constructor() {
    super(
      'redis-server was not found on PATH. Install Redis (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
        'macOS: `brew install redis`) or set REDIS_URL to an existing server.',
    );
  }
}

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

/**
 * Starts a private `redis-server` child on a free loopback port. With `persistence`, data is
 * kept in `dir` (AOF), as for `npm start`; tests run without it.
 */
export async function startLocalRedis(options: { dir: string; persistence: boolean }): Promise<LocalRedis> {
  await mkdir(options.dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--daemonize', 'no', '--loglevel', 'warning'];
  args.push(...(options.persistence ? ['--appendonly', 'yes', '--save', '60 1'] : ['--appendonly', 'no', '--save', '']));
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new RedisNotInstalledError() : err));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  await Promise.race([waitForPing(url), exited]);
  exited.catch(() => undefined);
  return { url, port, stop: () => stopChild(child) };
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
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
