import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * Lets tfjs-backend-wasm run its XNNPACK thread pool in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded+SIMD build whose Emscripten runtime supports Node
 * (pthreads on `worker_threads`), but three browser assumptions keep Node on one thread:
 *  1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag answers false whenever `IS_NODE`
 *     (tensorflow/tfjs#3830), so the single-threaded build is loaded;
 *  2. the pthread worker script and the main script are handed to the workers as Blob URLs,
 *     which Node's `Worker` and the worker's `importScripts` shim (fs.readFileSync) cannot open;
 *  3. the thread count is capped at `emscripten_num_logical_cores() / 2` — a browser guess that
 *     `navigator.hardwareConcurrency` counts two hyperthreads per core — read in Node from
 *     `os.cpus().length` when the module is instantiated, so a 2-core machine gets 1 thread.
 *
 * This writes both scripts to a temporary folder (removed at exit), points the Blob URLs of the
 * backend's initialisation at those files, and for the duration of that initialisation reports
 * twice the requested thread count as logical cores so that the cap is the request itself.
 * Everything is restored once the backend is up. Call it after importing the wasm package and
 * before `tf.setBackend('wasm')`, passing the `setBackend` call as `init`.
 */
export async function initWasmWithThreadsInNode<T>(threads: number, init: () => Promise<T>): Promise<T> {
  const scripts = writeThreadScripts();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  // The backend makes exactly one Blob URL on this thread: the pthread worker's script.
  URL.createObjectURL = () => scripts.worker;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]!);
  try {
    const result = await init();
    letProcessExitWithThreadPool();
    return result;
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
}

interface EmscriptenThreads {
  runningWorkers?: Array<{ unref(): void }>;
  unusedWorkers?: Array<{ unref(): void }>;
}

/**
 * XNNPACK's pool threads live as long as the backend, and Emscripten keeps a started pthread's
 * worker referenced, so Node would never exit on its own. Kernels block the main thread until
 * the pool is done, so the workers need not hold the event loop open.
 */
function letProcessExitWithThreadPool(): void {
  const { PThread } = (tf.backend() as unknown as { wasm: { PThread?: EmscriptenThreads } }).wasm;
  for (const worker of [...(PThread?.runningWorkers ?? []), ...(PThread?.unusedWorkers ?? [])]) worker.unref();
}

interface ThreadScripts {
  worker: string;
  main: string;
}

/** The pthread worker script and the module factory it loads, as files that Node can run. */
function writeThreadScripts(): ThreadScripts {
  const require = createRequire(import.meta.url);
  const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
    wasmWorkerContents: string;
  };
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as () => unknown;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'animebot-wasm-threads-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const scripts = { worker: path.join(dir, 'pthread-worker.cjs'), main: path.join(dir, 'backend-module.cjs') };
  // The same text the backend puts in the main script's Blob.
  fs.writeFileSync(scripts.main, `var WasmBackendModuleThreadedSimd = ${factory.toString()}`);
  // The main script reaches each worker as that Blob, which the worker turns into a URL to open.
  const workerPreamble = `URL.createObjectURL = () => ${JSON.stringify(scripts.main)};\n`;
  // As the backend does: the package's template literal turned the "\n" escapes inside the
  // script's string literals into newlines; they are escaped back.
  fs.writeFileSync(scripts.worker, workerPreamble + wasmWorkerContents.replace(/\n/g, '\\n'));
  return scripts;
}
