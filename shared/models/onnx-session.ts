import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/** A served model's `model.onnx` in ONNX Runtime: NHWC float32 in, NHWC float32 out (see onnx-export/). */
export interface OnnxModel {
  /** What runs it, for logs, metrics and job results, e.g. "onnxruntime-node 1.30.0 (cpu, 2 threads)". */
  description: string;
  run(input: Float32Array, dims: readonly [number, number, number, number]): Promise<{ data: Float32Array; dims: readonly number[] }>;
  release(): Promise<void>;
}

const require = createRequire(import.meta.url);
const packageDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
const version = (require('onnxruntime-node/package.json') as { version: string }).version;

/**
 * Whether onnxruntime-node's CUDA execution provider is installed: its postinstall downloads it
 * (linux x64) only when ONNXRUNTIME_NODE_INSTALL=cuda12 overrides the skip in .npmrc.
 */
function cudaProviderInstalled(): boolean {
  return existsSync(path.join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
}

/**
 * The worker's session settings: every graph optimisation ('all' includes the NCHWc layout
 * transform of the CPU provider), sequential execution (the generators are chains; the
 * intra-op threads parallelise each conv), `threads` intra-op threads, the memory arena on.
 */
export function onnxSessionOptions(executionProviders: string[], threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
  };
}

/**
 * Opens a session on the CUDA execution provider where it is installed and works, otherwise on
 * the CPU (onnxSessionOptions).
 */
export async function createOnnxModel(bytes: Uint8Array, threads: number): Promise<OnnxModel> {
  const options = (executionProviders: string[]) => onnxSessionOptions(executionProviders, threads);
  let provider = cudaProviderInstalled() ? 'cuda' : 'cpu';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, options([provider]));
  } catch (err) {
    if (provider === 'cpu') throw err;
    provider = 'cpu';
    session = await ort.InferenceSession.create(bytes, options([provider]));
  }
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  if (!inputName || !outputName) throw new Error('the ONNX model has no input or no output');
  return {
    description: `onnxruntime-node ${version} (${provider}${provider === 'cpu' ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''})`,
    async run(input, dims) {
      const result = await session.run({ [inputName]: new ort.Tensor('float32', input, [...dims]) });
      const output = result[outputName]!;
      return { data: output.data as Float32Array, dims: output.dims };
    },
    release: () => session.release(),
  };
}
