import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend } from './wasm-heap-backend.js';
import { WasmKernelOverride } from './wasm-kernel-override.js';

/**
 * A faster `Slice` for the wasm backend. tfjs-backend-wasm 4.22 copies a slice that is not one
 * contiguous block element by element (≈ 20 ns per element here): cropping a 128×128×128 map
 * by one row and column took ~70 ms. A slice is a grid of contiguous runs — the last dimension
 * it cuts, times every full dimension after it — and this copies each run with one
 * `copyWithin` on the heap. Slices whose runs are short (e.g. a few channels) are left to
 * wasm's kernel, where a call per run would cost more than it saves. CycleGAN's crops and
 * the gradient of every concat (a U-Net's skip connections) are such slices.
 */
const override = new WasmKernelOverride('Slice', slice);

/** A run shorter than this many elements is not worth a call. */
const shortestRun = 16;

export function useFastWasmSlice(): boolean {
  return override.use();
}

export function useOriginalWasmSlice(): void {
  override.useOriginal();
}

function slice(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (!x || !attrs || !isWasmHeapBackend(backend) || (x.dtype !== 'float32' && x.dtype !== 'int32')) return override.original(args);
  const { begin, size } = attrs as unknown as tf.SliceAttrs;
  const [starts = [], lengths = []] = tf.slice_util.parseSliceParams(x, begin, size);
  const shape = x.shape;
  // The run: from the last dimension the slice cuts to the end.
  let cut = shape.length - 1;
  while (cut > 0 && starts[cut] === 0 && lengths[cut] === shape[cut]) cut--;
  const strides = tf.util.computeStrides(shape);
  const stride = (d: number) => (d < strides.length ? strides[d]! : 1);
  const run = (lengths[cut] ?? 1) * stride(cut);
  if (run < shortestRun || lengths.some((n) => n === 0)) return override.original(args);

  // Allocate first: growing the heap replaces its buffer, which would detach earlier views.
  const out = backend.makeOutput(lengths, x.dtype);
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  // Same-width integer view of the whole heap: copyWithin moves bits, whatever the dtype.
  const heap = new Int32Array(from.buffer);
  const fromBase = from.byteOffset / 4 + (starts[cut] ?? 0) * stride(cut);
  let at = to.byteOffset / 4;
  // Odometer over the dimensions before `cut`.
  const index = new Array<number>(cut).fill(0);
  for (;;) {
    let offset = fromBase;
    for (let d = 0; d < cut; d++) offset += (starts[d]! + index[d]!) * stride(d);
    heap.copyWithin(at, offset, offset + run);
    at += run;
    let d = cut - 1;
    while (d >= 0 && lengths[d] === ++index[d]!) index[d--] = 0;
    if (d < 0) break;
  }
  return out;
}
