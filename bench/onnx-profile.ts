import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { onnxSessionOptions } from '../shared/models/onnx-session.js';

/** ONNX Runtime's profile (Chrome trace JSON): the node events are what we count. */
const traceEvents = z.array(z.object({ cat: z.string(), name: z.string(), ts: z.number(), dur: z.number().optional(), args: z.object({ op_name: z.string().optional() }).optional() }));

/**
 * Where one forward of an NHWC float32 batch spends its time in ONNX Runtime, by operator type
 * (the optimised graph's: fused ops, NCHWc reorders), in ms, most expensive first. The session
 * has the worker's options (CPU) plus profiling; the second of two forwards is counted.
 */
export async function onnxProfileByOperator(bytes: Uint8Array, threads: number, input: Float32Array, dims: readonly number[]): Promise<[string, number][]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'animebot-onnx-profile-'));
  try {
    const session = await ort.InferenceSession.create(bytes, { ...onnxSessionOptions(['cpu'], threads), enableProfiling: true, profileFilePrefix: path.join(dir, 'profile') });
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [...dims]) };
    await session.run(feeds);
    await session.run(feeds);
    session.endProfiling();
    await session.release();
    const [file] = (await readdir(dir)).filter((name) => name.endsWith('.json'));
    if (!file) throw new Error('ONNX Runtime wrote no profile');
    const events = traceEvents.parse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    // The second forward's nodes only: the first one warms up (allocations, first touches).
    const secondRun = Math.max(...events.filter((e) => e.name === 'model_run').map((e) => e.ts));
    const byOperator = new Map<string, number>();
    for (const event of events) {
      if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time') || event.ts < secondRun) continue;
      const op = event.args?.op_name ?? 'unknown';
      byOperator.set(op, (byOperator.get(op) ?? 0) + (event.dur ?? 0) / 1000);
    }
    return [...byOperator].sort((a, b) => b[1] - a[1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
