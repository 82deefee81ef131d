import { readFileSync } from 'node:fs';

/** Resident memory (VmRSS) of a process, in bytes; undefined when it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export interface RoleMemory {
  role: string;
  /** Largest VmRSS seen over every process that held the role (a restarted worker is the same role). */
  maxBytes: number;
  lastBytes: number;
  samples: number;
}

/**
 * Samples VmRSS of the processes of a run once per `intervalMs`, by role ("worker-1",
 * "redis", …): `pids` says which process holds each role now, so restarts are followed.
 */
export class RssSampler {
  private readonly roles = new Map<string, RoleMemory>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => Record<string, number | undefined>,
    intervalMs = 1000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): RoleMemory[] {
    clearInterval(this.timer);
    this.sample();
    return [...this.roles.values()];
  }

  private sample(): void {
    for (const [role, pid] of Object.entries(this.pids())) {
      const bytes = pid === undefined ? undefined : residentBytes(pid);
      if (bytes === undefined) continue;
      const seen = this.roles.get(role) ?? { role, maxBytes: 0, lastBytes: 0, samples: 0 };
      this.roles.set(role, { role, maxBytes: Math.max(seen.maxBytes, bytes), lastBytes: bytes, samples: seen.samples + 1 });
    }
  }
}
