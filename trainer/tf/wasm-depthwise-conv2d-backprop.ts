import * as tf from '@tensorflow/tfjs';

/**
 * The two gradients of a depthwise conv (`DepthwiseConv2dNativeBackpropInput` and
 * `…BackpropFilter`) for the wasm backend, which has the forward kernel only. AnimeGAN's
 * inverted-residual blocks (gan/animegan/animegan.ts) need them; they cover what those use:
 * stride 1, channel multiplier 1, dilation 1 (tfjs's gradient already rejects dilation > 1),
 * any padding. Both are built from wasm kernels, as wasm-conv2d-backprop-filter.ts is:
 *
 * - input: dX = dY padded by (k−1−top, k−1−bottom, …) and depthwise-convolved ('valid') with
 *   the filter flipped in H and W — the transposed convolution of a stride-1 conv;
 * - filter: dW[kh, kw, c] = Σ_{n,y,x} Xpad[n, y+kh, x+kw, c] · dY[n, y, x, c], one slice of the
 *   padded input per filter tap, multiplied by dY and summed over N, H, W.
 *
 * This module does not import the wasm package (see wasm-conv2d-backprop-filter.ts).
 */
export const wasmDepthwiseConv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: 'wasm',
  kernelFunc: backpropInput,
};

export const wasmDepthwiseConv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: 'wasm',
  kernelFunc: backpropFilter,
};

type Shape4 = [number, number, number, number];

interface DepthwiseGradAttrs {
  strides: number | [number, number];
  pad: tf.backend_util.ExplicitPadding | 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward conv's geometry, checked against what these kernels support. */
function forwardInfo(kernelName: string, xShape: Shape4, filterShape: Shape4, attrs: DepthwiseGradAttrs): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, true);
  if (info.strideHeight !== 1 || info.strideWidth !== 1) throw new Error(`${kernelName} on wasm supports stride 1 only, got ${info.strideHeight}×${info.strideWidth}`);
  if (filterShape[3] !== 1) throw new Error(`${kernelName} on wasm supports channel multiplier 1 only, got ${filterShape[3]}`);
  return info;
}

function kernelRunner(backend: tf.KernelBackend) {
  const intermediates: tf.TensorInfo[] = [];
  const run = (kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo => {
    const out = tf.getKernel(kernelName, 'wasm').kernelFunc({ inputs, backend, attrs });
    if (Array.isArray(out)) throw new Error(`wasm ${kernelName} returned several outputs`);
    return out;
  };
  return {
    run,
    /** Like `run`, for a tensor freed when `release` is called. */
    step(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
      const out = run(kernelName, inputs, attrs);
      intermediates.push(out);
      return out;
    },
    release: () => intermediates.forEach((t) => backend.disposeData(t.dataId)),
  };
}

function backpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, filter } = inputs;
  if (!dy || !filter || !attrs) throw new Error('DepthwiseConv2dNativeBackpropInput: needs inputs dy and filter and its attributes');
  if (!isKernelBackend(backend)) throw new Error('DepthwiseConv2dNativeBackpropInput: called without a backend');
  const gradAttrs = attrs as unknown as DepthwiseGradAttrs & { inputShape: Shape4 };
  const info = forwardInfo('DepthwiseConv2dNativeBackpropInput', gradAttrs.inputShape, filter.shape as Shape4, gradAttrs);
  const { filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const kernels = kernelRunner(backend);
  try {
    const flipped = kernels.step('Reverse', { x: filter }, { dims: [0, 1] });
    return kernels.run(
      'DepthwiseConv2dNative',
      { x: dy, filter: flipped },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [kh - 1 - top, kh - 1 - bottom],
          [kw - 1 - left, kw - 1 - right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
  } finally {
    kernels.release();
  }
}

function backpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs;
  if (!x || !dy || !attrs) throw new Error('DepthwiseConv2dNativeBackpropFilter: needs inputs x and dy and its attributes');
  if (!isKernelBackend(backend)) throw new Error('DepthwiseConv2dNativeBackpropFilter: called without a backend');
  const gradAttrs = attrs as unknown as DepthwiseGradAttrs & { filterShape: Shape4 };
  const info = forwardInfo('DepthwiseConv2dNativeBackpropFilter', x.shape as Shape4, gradAttrs.filterShape, gradAttrs);
  const { filterHeight: kh, filterWidth: kw, batchSize, outHeight, outWidth, inChannels } = info;
  const { top, bottom, left, right } = info.padInfo;
  const kernels = kernelRunner(backend);
  try {
    // Channels first, so that each tap's sum runs over the innermost axes (no transposes per tap).
    const padded = kernels.step(
      'PadV2',
      { x },
      {
        paddings: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    const xT = kernels.step('Transpose', { x: padded }, { perm: [3, 0, 1, 2] });
    const dyT = kernels.step('Transpose', { x: dy }, { perm: [3, 0, 1, 2] });
    const taps: tf.TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const window = kernels.step('Slice', { x: xT }, { begin: [0, 0, i, j], size: [inChannels, batchSize, outHeight, outWidth] });
        const product = kernels.step('Multiply', { a: window, b: dyT });
        taps.push(kernels.step('Sum', { x: product }, { axis: [1, 2, 3], keepDims: false }));
      }
    }
    // Pack takes its inputs as an array.
    const stacked = kernels.step('Pack', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 });
    return kernels.run('Reshape', { x: stacked }, { shape: [kh, kw, inChannels, 1] });
  } finally {
    kernels.release();
  }
}

/** Kernels receive their backend untyped; these only need `disposeData`, which every backend has. */
function isKernelBackend(backend: unknown): backend is tf.KernelBackend {
  return typeof (backend as { disposeData?: unknown } | null)?.disposeData === 'function';
}
