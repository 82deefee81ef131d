import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { z } from 'zod';

const probe = fileURLToPath(new URL('../helpers/wasm-runtime-probe.ts', import.meta.url));
const probeOutput = z.object({ backend: z.string(), threads: z.number(), description: z.string(), values: z.array(z.number()) });

/** Runs the probe in its own process; it must also exit by itself (no thread keeps it alive). */
async function runProbe(threads: number) {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe], {
    env: { ...process.env, TF_THREADS: String(threads) },
    timeout: 60_000,
  });
  return probeOutput.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
}

test('the wasm backend runs the thread count asked for in Node, with the single-threaded results', async () => {
  const single = await runProbe(1);
  const threaded = await runProbe(2);
  assert.equal(single.backend, 'wasm');
  assert.equal(single.threads, 1);
  assert.equal(threaded.threads, 2, `asked for 2 threads, runtime says ${threaded.description}`);
  assert.match(threaded.description, /\(2 threads\)/);
  assert.equal(threaded.values.length, single.values.length);
  const scale = Math.max(...single.values.map(Math.abs));
  const worst = Math.max(...threaded.values.map((v, i) => Math.abs(v - single.values[i]!)));
  assert.ok(worst <= 1e-5 * scale, `threaded results differ by ${worst} (scale ${scale})`);
});
