import type * as tf from '@tensorflow/tfjs';

/**
 * What our wasm kernels use of tfjs-backend-wasm's `BackendWasm`: its tensors live on the wasm
 * heap, where a kernel can read its inputs and write a new output in place.
 */
export interface WasmHeapBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array;
}

/** Kernels receive their backend untyped. */
export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const candidate = backend as Partial<Record<'disposeData' | 'makeOutput' | 'typedArrayFromHeap', unknown>> | null;
  return typeof candidate?.disposeData === 'function' && typeof candidate.makeOutput === 'function' && typeof candidate.typedArrayFromHeap === 'function';
}
