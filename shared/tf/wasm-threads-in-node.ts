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
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  // The backend makes exactly one Blob URL on this thread: the pthread worker's script.
  URL.createObjectURL = () => scripts.worker;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]!);
  try {
    const result = await init();
    const module = (tf.backend() as unknown as { wasm: EmscriptenModule }).wasm;
    letProcessExitWithThreadPool(module);
    keepHeapViewsCurrent(module);
    return result;
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
}

interface EmscriptenModule {
  PThread?: {
    runningWorkers?: { unref(): void }[];
    unusedWorkers?: { unref(): void }[];
  };
  wasmMemory?: { readonly buffer: SharedArrayBuffer };
}

/**
 * XNNPACK's pool threads live as long as the backend, and Emscripten keeps a started pthread's
 * worker referenced, so Node would never exit on its own. Kernels block the main thread until
 * the pool is done, so the workers need not hold the event loop open.
 */
function letProcessExitWithThreadPool({ PThread }: EmscriptenModule): void {
  for (const worker of [...(PThread?.runningWorkers ?? []), ...(PThread?.unusedWorkers ?? [])]) worker.unref();
}

const heapViews: Record<string, new (buffer: SharedArrayBuffer) => ArrayBufferView> = {
  HEAP8: Int8Array,
  HEAPU8: Uint8Array,
  HEAP16: Int16Array,
  HEAPU16: Uint16Array,
  HEAP32: Int32Array,
  HEAPU32: Uint32Array,
  HEAPF32: Float32Array,
  HEAPF64: Float64Array,
};

/**
 * The threaded build's memory is a growable SharedArrayBuffer. Emscripten's own code reads the
 * heap through accessors that renew their views after a growth, but tfjs-backend-wasm reads
 * `Module.HEAPU8` / `HEAPF32` directly, and after a growth on another thread (or one its
 * accessors have not seen yet) those are views of the old, shorter buffer: a tensor past its
 * end fails with "RangeError: Invalid typed array length". Making the views getters that
 * renew themselves whenever the memory's buffer changed keeps every reader current.
 */
function keepHeapViewsCurrent(module: EmscriptenModule): void {
  const memory = module.wasmMemory;
  if (!memory) return;
  let buffer: SharedArrayBuffer | undefined;
  let views: Record<string, ArrayBufferView> = {};
  const current = (name: string) => {
    if (memory.buffer !== buffer) {
      buffer = memory.buffer;
      views = Object.fromEntries(Object.entries(heapViews).map(([key, View]) => [key, new View(memory.buffer)]));
    }
    return views[name];
  };
  for (const name of Object.keys(heapViews)) {
    // Emscripten assigns these after growing; the getter already sees the new buffer.
    Object.defineProperty(module, name, { get: () => current(name), set: () => {}, configurable: true });
  }
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
