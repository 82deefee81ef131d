import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/** One of the project's entry points (scripts/start.ts, worker/main.ts, cli/main.ts) running as its own process. */
export interface AppProcess {
  pid: number;
  /** stdout and stderr, line by line, as they came. */
  lines: string[];
  /** The JSON log lines, parsed (pino's `name` and `msg` among the fields). */
  logs(): { name?: string; msg?: string; [key: string]: unknown }[];
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) and when it came. */
  exit: Promise<{ code: number | string; at: number }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Settings for a process under test: the parent's environment without anything that points
 * at real servers or bots, JSON logs at info level, then `env`.
 */
export function appEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const unset = new Set(['REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'DISCORD_TOKEN', 'TELEGRAM_WEBHOOK_URL']);
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name)));
  return { ...base, NODE_ENV: 'test', LOG_LEVEL: 'info', PRETTY_LOGS: 'false', TF_BACKEND: 'cpu', HEALTH_PORT: '0', WEB_PORT: '0', ...env };
}

/**
 * Starts `node --import tsx <script> ...args` in its own process group, as a terminal runs a
 * foreground command: signal the group (`kill(-pid)`) to do what Ctrl-C or a hang-up does.
 */
export function startApp(script: string, args: string[], env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
  }
  const exit = new Promise<{ code: number | string; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code: code ?? signal ?? 'unknown', at: Date.now() }));
  });
  return {
    pid: child.pid!,
    lines,
    logs: () =>
      lines.flatMap((line) => {
        if (!line.startsWith('{')) return [];
        try {
          return [JSON.parse(line) as { name?: string; msg?: string }];
        } catch {
          return [];
        }
      }),
    waitForLine: (pattern, timeoutMs = 60_000) => waitFor(`a line matching ${pattern}`, () => lines.find((l) => pattern.test(l)), { timeoutMs, context: () => lines.slice(-20).join('\n') }),
    exit,
    kill: (signal) => child.kill(signal),
  };
}

/** Whether a process with this pid exists (a zombie counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pids of every process below `pid` (children, their children, …), from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}
