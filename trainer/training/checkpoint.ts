import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Networks } from '../../gan/architecture.js';
import type { OptimizerState, TrainStep } from '../../gan/train-step.js';

export const checkpointStateSchema = z.object({
  step: z.number().int(),
  epoch: z.number().int(),
  /** Batches of `epoch` already trained, so a resume skips them. */
  batchInEpoch: z.number().int(),
  history: z.array(z.object({ step: z.number(), losses: z.record(z.string(), z.number()) })),
  savedAt: z.string(),
});
export type CheckpointState = z.infer<typeof checkpointStateSchema>;

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
}

/**
 * A training run's checkpoint: every network's weights, both optimizers' state and the
 * loop position, in `<runDir>/checkpoint/`. Written to a temp dir and renamed, so a kill
 * mid-write leaves the previous checkpoint intact.
 */
export async function saveCheckpoint(runDir: string, nets: Networks, trainStep: TrainStep, state: Omit<CheckpointState, 'savedAt'>): Promise<void> {
  const finalDir = path.join(runDir, 'checkpoint');
  const tmpDir = path.join(runDir, `.checkpoint-${process.pid}-${Date.now()}`);
  await mkdir(tmpDir, { recursive: true });
  const named: { name: string; tensor: tf.Tensor }[] = [];
  for (const [kind, models] of Object.entries(nets) as [keyof Networks, Record<string, tf.LayersModel>][]) {
    for (const [name, model] of Object.entries(models)) {
      model.weights.forEach((w, i) => named.push({ name: `${kind}/${name}/${i}`, tensor: w.read() }));
    }
  }
  const optimizer = await trainStep.optimizerState();
  for (const side of ['generator', 'discriminator'] as const) {
    optimizer[side].forEach((w, i) => named.push({ name: `optimizer/${side}/${i}`, tensor: w.tensor }));
  }
  try {
    await writeTensors(tmpDir, named);
  } finally {
    for (const side of ['generator', 'discriminator'] as const) optimizer[side].find((w) => w.name === 'iter')?.tensor.dispose();
  }
  await writeFile(path.join(tmpDir, 'state.json'), JSON.stringify({ ...state, savedAt: new Date().toISOString() }));
  await rm(finalDir, { recursive: true, force: true });
  await rename(tmpDir, finalDir);
}

/** Restores networks and optimizers from a checkpoint; undefined when the run has none. */
export async function loadCheckpoint(runDir: string, nets: Networks, trainStep: TrainStep): Promise<CheckpointState | undefined> {
  const dir = path.join(runDir, 'checkpoint');
  const stateText = await readFile(path.join(dir, 'state.json'), 'utf8').catch(() => undefined);
  if (stateText === undefined) return undefined;
  const state = checkpointStateSchema.parse(JSON.parse(stateText));
  const tensors = await readTensors(dir);
  try {
    for (const [kind, models] of Object.entries(nets) as [keyof Networks, Record<string, tf.LayersModel>][]) {
      for (const [name, model] of Object.entries(models)) {
        model.weights.forEach((w, i) => {
          const saved = tensors.get(`${kind}/${name}/${i}`);
          if (saved?.shape.join() !== w.shape.join()) throw new Error(`checkpoint does not match ${kind} ${name} weight ${w.name}`);
          w.write(saved);
        });
      }
    }
    const optimizer: OptimizerState = { generator: [], discriminator: [] };
    for (const side of ['generator', 'discriminator'] as const) {
      for (let i = 0; tensors.has(`optimizer/${side}/${i}`); i++) optimizer[side].push({ name: i === 0 ? 'iter' : `${side}/${i}`, tensor: tensors.get(`optimizer/${side}/${i}`)! });
    }
    await trainStep.restoreOptimizerState(optimizer);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  return state;
}

async function writeTensors(dir: string, tensors: { name: string; tensor: tf.Tensor }[]): Promise<void> {
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { name, tensor } of tensors) {
    const data = (await tensor.data()) as Float32Array;
    const bytes = Buffer.from(new Float32Array(data).buffer);
    entries.push({ name, shape: tensor.shape, offset });
    chunks.push(bytes);
    offset += bytes.length;
  }
  await writeFile(path.join(dir, 'tensors.bin'), Buffer.concat(chunks));
  await writeFile(path.join(dir, 'tensors.json'), JSON.stringify(entries));
}

async function readTensors(dir: string): Promise<Map<string, tf.Tensor>> {
  const entries = JSON.parse(await readFile(path.join(dir, 'tensors.json'), 'utf8')) as TensorEntry[];
  const bin = await readFile(path.join(dir, 'tensors.bin'));
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  const out = new Map<string, tf.Tensor>();
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, tf.tensor(all.subarray(e.offset / 4, e.offset / 4 + size), e.shape));
  }
  return out;
}
