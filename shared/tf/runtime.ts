import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { useFastWasmConv2DBackpropInput } from './wasm-conv2d-backprop-input.js';
import { useFastWasmSlice } from './wasm-slice.js';
import { initWasmWithThreadsInNode } from './wasm-threads-in-node.js';

export type BackendChoice = Config['TF_BACKEND'];
export interface TfRuntime {
  /** The tfjs backend name in use: tensorflow (native, GPU or CPU), wasm or cpu. */
  backend: string;
  /** What was loaded, for logs, metrics and job results (e.g. "tfjs-node-gpu 4.22.0"). */
  description: string;
  threads: number;
}

type Candidate = Exclude<BackendChoice, 'auto' | 'onnx'>;
const fallbackOrder: Candidate[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

let active: Promise<TfRuntime> | undefined;

/**
 * Picks the tfjs backend once per process: tfjs-node-gpu, else tfjs-node, else wasm, else
 * cpu; `TF_BACKEND` forces one (`onnx`, which is ONNX Runtime serving, picks tfjs as `auto` does
 * for training and for the tensors around a served model). The native packages are optionalDependencies, so their
 * absence is normal and only logged at debug level.
 */
export function initTf(config: Pick<Config, 'TF_BACKEND' | 'TF_THREADS'>, logger?: Logger): Promise<TfRuntime> {
  active ??= select(config, logger);
  return active;
}

async function select(config: Pick<Config, 'TF_BACKEND' | 'TF_THREADS'>, logger?: Logger): Promise<TfRuntime> {
  const forced = config.TF_BACKEND === 'auto' || config.TF_BACKEND === 'onnx' ? undefined : config.TF_BACKEND;
  const order = forced ? [forced] : fallbackOrder;
  const threads = config.TF_THREADS ?? os.availableParallelism();
  for (const candidate of order) {
    try {
      const runtime = await activate(candidate, threads);
      logger?.info({ backend: runtime.backend, runtime: runtime.description, threads: runtime.threads }, `tfjs backend: ${runtime.description}`);
      return runtime;
    } catch (err) {
      const log = forced ? logger?.error.bind(logger) : logger?.debug.bind(logger);
      log?.({ candidate, err: (err as Error).message }, `tfjs backend ${candidate} unavailable`);
      if (forced) throw err;
    }
  }
  throw new Error('no tfjs backend could be initialised');
}

async function activate(candidate: Candidate, threads: number): Promise<TfRuntime> {
  switch (candidate) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = candidate === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const native = (await import(pkg)) as { version?: { 'tfjs-node'?: string } };
      await setBackend('tensorflow');
      const version = native.version?.['tfjs-node'] ?? tf.version.tfjs;
      return { backend: 'tensorflow', description: `${pkg.replace('@tensorflow/', '')} ${version}`, threads };
    }
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setThreadsCount(threads);
      if (threads > 1) await initWasmWithThreadsInNode(threads, () => setBackend('wasm'));
      else await setBackend('wasm');
      // wasm's own transposed conv is a scalar loop; U-Net decoders are mostly transposed convs.
      useFastWasmConv2DBackpropInput();
      // and its strided Slice copies element by element (crops, concat gradients).
      useFastWasmSlice();
      const used = wasm.getThreadsCount();
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? '+simd' : '';
      return { backend: 'wasm', description: `tfjs-backend-wasm${simd} ${wasm.version_wasm} (${used} thread${used === 1 ? '' : 's'})`, threads: used };
    }
    case 'cpu':
      await setBackend('cpu');
      return { backend: 'cpu', description: `tfjs-backend-cpu ${tf.version.tfjs}`, threads: 1 };
  }
}

async function setBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}
