import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';

/** The PyTorch side of the benchmarks: bench/torch_models.py builds and times our networks' twins. */

const torchScript = fileURLToPath(new URL('./torch_models.py', import.meta.url));
const torchResult = z.object({
  params: z.number(),
  ms: z.number().nullable(),
  torch: z.string(),
  /** With `profile`: one forward's self CPU ms by operator, most expensive first. */
  profile: z.array(z.tuple([z.string(), z.number()])).optional(),
});
export type TorchResult = z.infer<typeof torchResult>;

export interface TorchRun {
  arch: string;
  size: number;
  batch: number;
  threads: number;
  warmup: number;
  runs: number;
  mode: 'forward' | 'train';
  /** Profile one more forward by operator (torch.autograd.profiler). */
  profile?: boolean;
}

/**
 * The first interpreter that imports torch, with its version and the BLAS it loaded: Debian's
 * python3-torch runs transposed convs and matmuls through libblas.so.3, which is the slow
 * reference (netlib) BLAS unless an optimised one such as libopenblas0-pthread is selected.
 */
export async function findTorchPython(): Promise<{ command: string; version: string } | undefined> {
  const probe = [
    'import os, torch',
    'torch.mm(torch.ones(2, 2), torch.ones(2, 2))',
    "blas = sorted({os.path.realpath(line.split()[-1]) for line in open('/proc/self/maps') if 'blas' in line.split()[-1]})",
    "print(torch.__version__, ', '.join(blas) or 'unknown')",
  ].join('\n');
  for (const command of ['python3', '/usr/bin/python3']) {
    try {
      const { stdout } = await promisify(execFile)(command, ['-c', probe]);
      const line = stdout.trim();
      const space = line.indexOf(' ');
      return { command, version: `torch ${line.slice(0, space)} (BLAS ${line.slice(space + 1)})` };
    } catch {
      // not this interpreter
    }
  }
  return undefined;
}

/** Runs the twin once under `command`; its failure comes back as the last line it printed. */
export async function runTorchTwin(command: string, run: TorchRun): Promise<TorchResult | string> {
  const argv = [torchScript, '--arch', run.arch, '--size', String(run.size), '--batch', String(run.batch), '--threads', String(run.threads)];
  argv.push('--warmup', String(run.warmup), '--runs', String(run.runs), '--mode', run.mode);
  if (run.profile) argv.push('--profile');
  try {
    const { stdout } = await promisify(execFile)(command, argv, { maxBuffer: 1 << 20 });
    return torchResult.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.split('\n').filter(Boolean).at(-1) ?? message;
  }
}
