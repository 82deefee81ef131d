import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { Logger } from '../logger.js';

/** A service of `npm start` in its own process (the translate worker, the trainer), so it never holds the bots' event loop. */
export interface ChildService {
  name: string;
  pid: number;
  /** Resolves when the child said it is ready; rejects when it exited before. */
  ready: Promise<void>;
  /** Resolves with a line saying how it ended, whenever it ends. */
  exited: Promise<string>;
  /** Graceful: SIGTERM (the child finishes its in-flight work), then waits for it to exit. */
  stop(): Promise<void>;
  /** At once: SIGKILL. */
  kill(): void;
}

/**
 * What a child service gets unless the environment says otherwise. libvips decodes on a
 * thread per core, and glibc gives each thread a malloc arena of its own, which keeps the
 * freed memory of large images: in bench:soak a worker's RSS settled ~90 MB higher with
 * glibc's default (8 per core) than with two (docs/performance.md).
 */
export const childServiceEnvDefaults = { MALLOC_ARENA_MAX: '2' } as const;

interface ReadyMessage {
  type: 'ready';
}

/**
 * Starts `script` (a TypeScript entry point, run with our own loader flags) with its own
 * process group, so the terminal's Ctrl-C and hang-up reach only the parent, which decides
 * the order of stopping. Output goes to the parent's terminal. It runs at a lower CPU
 * priority (nice +10), so that where CPUs are short the bots' replies come before inference
 * and training steps.
 */
export function startChildService({ name, script, env, logger }: { name: string; script: string; env: NodeJS.ProcessEnv; logger: Logger }): ChildService {
  const child: ChildProcess = fork(script, [], { env: { ...childServiceEnvDefaults, ...env }, detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  os.setPriority(child.pid!, Math.min(19, os.getPriority() + 10));
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`${name} exited ${signal ? `on ${signal}` : `with code ${code}`}`));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: unknown) => {
      if (isReadyMessage(message)) resolve();
    });
    void exited.then((how) => reject(new Error(`${how} while starting`)));
  });
  ready.catch(() => undefined);
  logger.debug({ pid: child.pid, script }, `${name} process started`);
  return {
    name,
    pid: child.pid!,
    ready,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function isReadyMessage(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ready';
}

/** In a child service: tells the parent (if any) that it is ready. */
export function announceReady(): void {
  const message: ReadyMessage = { type: 'ready' };
  process.send?.(message);
}
