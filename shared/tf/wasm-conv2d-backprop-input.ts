import * as tf from '@tensorflow/tfjs';
import { isWasmHeapBackend, type WasmHeapBackend } from './wasm-heap-backend.js';
import { WasmKernelOverride } from './wasm-kernel-override.js';

/**
 * A faster `Conv2DBackpropInput` for the wasm backend: the kernel behind conv2dTranspose (all
 * of a U-Net decoder) and behind every conv's input gradient. tfjs-backend-wasm 4.22 computes
 * it with a scalar loop, while its Conv2D runs on XNNPACK; this computes the same sums with
 * one XNNPACK Conv2D by the sub-pixel decomposition.
 *
 * Per spatial axis, with stride s, kernel size k and the forward conv's leading pad `top`,
 *   dx[y] = Σ_{o,k': o·s + k' − top = y} dy[o] · W[k'].
 * Write t = y + top = s·q + r (phase r ∈ [0, s)); then k' = r + s·j and o = q − j, so
 *   dx[y] = Σ_{j<J} dy[q − j] · W[r + s·j],   J = ⌈k / s⌉ (taps past k are zero),
 * a stride-1 convolution of dy (padded by J − 1 in front) with the flipped phase sub-kernel
 * G_r[m] = W[r + s·(J − 1 − m)]. All s² phase pairs (r_y, r_x) become output channels of
 * one conv with a [J, J, Co, s²·Ci] filter; interleaving them into t-space (DepthToSpace) and
 * cropping t ∈ [top, top + H) is one pass of copies (`interleavePhases`). Every multiply-add is one the direct definition does too
 * (no zero-stuffed input), so FLOPs equal the scalar kernel's. The rearranged filter is
 * cached per filter buffer (see `preparedFilter`).
 *
 * Unequal strides and NCHW fall back to the original wasm kernel.
 */

const override = new WasmKernelOverride('Conv2DBackpropInput', conv2DBackpropInput);

/** Puts this kernel in place of wasm's own (see WasmKernelOverride.use). */
export function useFastWasmConv2DBackpropInput(): boolean {
  return override.use();
}

/** Puts wasm's own kernel back (for comparisons and benchmarks). */
export function useOriginalWasmConv2DBackpropInput(): void {
  override.useOriginal();
}

function conv2DBackpropInput(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | tf.TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (!dy || !filter || !attrs) throw new Error('Conv2DBackpropInput: needs inputs dy and filter and its attributes');
  if (!isWasmHeapBackend(backend)) throw new Error('Conv2DBackpropInput: called without the wasm backend');
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const [strideHeight, strideWidth] = typeof strides === 'number' ? [strides, strides] : strides;
  if (dataFormat !== 'NHWC' || strideHeight !== strideWidth) return override.original(args);
  const s = strideHeight;

  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode);
  const { batchSize, filterHeight, filterWidth, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  const tapsH = Math.ceil(filterHeight / s);
  const tapsW = Math.ceil(filterWidth / s);
  // Phase rows q ∈ [0, ⌈(top + H) / s⌉) cover t ∈ [top, top + H); dy is zero past its end.
  const bottom = Math.max(0, Math.ceil((top + inHeight) / s) - outHeight);
  const right = Math.max(0, Math.ceil((left + inWidth) / s) - outWidth);

  const run = (name: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap): tf.TensorInfo => runWasmKernel(backend, name, kernelInputs, kernelAttrs);
  const subKernels = keepPreparedFilters ? preparedFilter(backend, filter, s) : subPixelFilter(backend, filter, s);
  let phases: tf.TensorInfo;
  try {
    phases = run(
      'Conv2D',
      { x: dy, filter: subKernels },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [tapsH - 1, bottom],
          [tapsW - 1, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
  } finally {
    // Freeing it also frees XNNPACK's packed copy, which wasm keeps per filter buffer.
    if (!keepPreparedFilters) backend.disposeData(subKernels.dataId);
  }
  if (s === 1 && phases.shape[1] === inHeight && phases.shape[2] === inWidth) return phases;
  try {
    return interleavePhases(backend, phases, { stride: s, top, left, shape: [batchSize, inHeight, inWidth, inChannels] });
  } finally {
    backend.disposeData(phases.dataId);
  }
}

/**
 * DepthToSpace and the crop to t ∈ [top, top + H) in one pass of contiguous copies on the wasm
 * heap: output pixel (y, x) is phase (r_y, r_x) = ((y + top) mod s, (x + left) mod s) at phase
 * position (⌊(y + top) / s⌋, ⌊(x + left) / s⌋), and its Ci channels are contiguous there and in
 * the output. wasm's own DepthToSpace and Slice walk element by element; on a U-Net decoder
 * layer they took longer together than half the conv itself.
 */
function interleavePhases(
  backend: WasmHeapBackend,
  phases: tf.TensorInfo,
  { stride: s, top, left, shape }: { stride: number; top: number; left: number; shape: [number, number, number, number] },
): tf.TensorInfo {
  const [batch, height, width, channels] = shape;
  const [, phaseRows, phaseCols, phaseChannels] = phases.shape as [number, number, number, number];
  // Allocate first: growing the heap replaces its buffer, which would detach earlier views.
  const out = backend.makeOutput(shape, 'float32');
  const from = backend.typedArrayFromHeap(phases);
  const to = backend.typedArrayFromHeap(out);
  const heap = new Float32Array(from.buffer);
  const fromBase = from.byteOffset / 4;
  let at = to.byteOffset / 4;
  for (let n = 0; n < batch; n++) {
    for (let y = 0; y < height; y++) {
      const qy = Math.floor((y + top) / s);
      const ry = y + top - qy * s;
      const row = fromBase + (n * phaseRows + qy) * phaseCols * phaseChannels + ry * s * channels;
      for (let x = 0; x < width; x++) {
        const qx = Math.floor((x + left) / s);
        const start = row + qx * phaseChannels + (x + left - qx * s) * channels;
        heap.copyWithin(at, start, start + channels);
        at += channels;
      }
    }
  }
  return out;
}

let keepPreparedFilters = true;

/**
 * Whether to keep each filter's rearranged copy (and XNNPACK's packed copy of it) for later
 * calls. Serving reuses every filter on every request, so it keeps them (the default). In
 * training each step's weights are new buffers, used once or twice, and the two extra copies
 * of all conv weights can push a large network past wasm's 4 GB heap (pix2pix ngf 64 at 256 px
 * did); the trainer turns keeping off.
 */
export function keepPreparedWasmFilters(keep: boolean): void {
  keepPreparedFilters = keep;
}

/**
 * The sub-kernels of a filter, prepared once per filter buffer: rearranging a large filter
 * costs far more than the conv on the small feature maps of a U-Net's inner levels, and a
 * filter that stays the same buffer also keeps XNNPACK's packed copy (cached by buffer id).
 * tfjs never changes a buffer's contents (assigning a variable gives it a new buffer), so an
 * entry is valid until its filter's buffer is freed; each call frees the entries of freed
 * filters. The cache costs one more copy of the transposed convs' weights.
 */
const preparedFilters = new WeakMap<tf.KernelBackend, Map<tf.DataId, Map<string, tf.TensorInfo>>>();

function preparedFilter(backend: WasmHeapBackend, filter: tf.TensorInfo, s: number): tf.TensorInfo {
  let byFilter = preparedFilters.get(backend);
  if (!byFilter) preparedFilters.set(backend, (byFilter = new Map<tf.DataId, Map<string, tf.TensorInfo>>()));
  for (const [dataId, prepared] of byFilter) {
    if (backend.refCount(dataId) > 0) continue;
    for (const t of prepared.values()) backend.disposeData(t.dataId);
    byFilter.delete(dataId);
  }
  let forFilter = byFilter.get(filter.dataId);
  if (!forFilter) byFilter.set(filter.dataId, (forFilter = new Map<string, tf.TensorInfo>()));
  // A Reshape shares its input's buffer, so the same buffer can arrive under other shapes.
  const key = `${filter.shape.join('x')}/${s}`;
  let prepared = forFilter.get(key);
  if (!prepared) forFilter.set(key, (prepared = subPixelFilter(backend, filter, s)));
  return prepared;
}

/**
 * W [kH, kW, Ci, Co] → [J, J, Co, s²·Ci]: sub-kernel (r_y, r_x) at channels (r_y·s + r_x)·Ci + ci
 * (DepthToSpace's order), its taps flipped: out[m_y, m_x, co, (r_y·s + r_x)·Ci + ci] =
 * W[s·(J − 1 − m_y) + r_y, s·(J − 1 − m_x) + r_x, ci, co], zero past the kernel's edge. One
 * gather on the wasm heap: wasm's Transpose and Reverse walk element by element, which made
 * rearranging every filter on every training step cost seconds.
 */
function subPixelFilter(backend: WasmHeapBackend, filter: tf.TensorInfo, s: number): tf.TensorInfo {
  const [filterHeight, filterWidth, inChannels, outChannels] = filter.shape as [number, number, number, number];
  const tapsH = Math.ceil(filterHeight / s);
  const tapsW = Math.ceil(filterWidth / s);
  // Allocate first: growing the heap replaces its buffer, which would detach earlier views.
  const prepared = backend.makeOutput([tapsH, tapsW, outChannels, s * s * inChannels], 'float32');
  const weights = backend.typedArrayFromHeap(filter);
  const out = backend.typedArrayFromHeap(prepared);
  let at = 0;
  for (let my = 0; my < tapsH; my++) {
    for (let mx = 0; mx < tapsW; mx++) {
      for (let co = 0; co < outChannels; co++) {
        for (let ry = 0; ry < s; ry++) {
          const kh = s * (tapsH - 1 - my) + ry;
          for (let rx = 0; rx < s; rx++) {
            const kw = s * (tapsW - 1 - mx) + rx;
            if (kh < filterHeight && kw < filterWidth) {
              const tap = (kh * filterWidth + kw) * inChannels * outChannels + co;
              for (let ci = 0; ci < inChannels; ci++) out[at + ci] = weights[tap + ci * outChannels]!;
            } else {
              out.fill(0, at, at + inChannels);
            }
            at += inChannels;
          }
        }
      }
    }
  }
  return prepared;
}

function runWasmKernel(backend: tf.KernelBackend, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const out = tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm ${name} returned several outputs`);
  return out;
}
