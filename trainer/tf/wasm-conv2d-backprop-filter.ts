import * as tf from '@tensorflow/tfjs';

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships every kernel a conv net's
 * training needs except this one (the gradient of a conv's weights).
 *
 * The filter gradient of a forward conv with stride s, input padding (top, left) and
 * dilation 1 is
 *   dW[kh, kw, ci, co] = Σ_{n,y,x} X[n, y·s + kh − top, x·s + kw − left, ci] · dY[n, y, x, co],
 * which is itself a convolution: take channels-in as the batch and the batch as channels,
 * Xᵀ = [Ci, H, W, N], use dYᵀ = [outH, outW, N, Co] as the filter, dilated by s and with
 * stride 1, pad Xᵀ by (top, left) and by as much at the bottom/right as the last filter tap
 * reaches, then crop to the filter size and move Ci back: [Ci, kH, kW, Co] → [kH, kW, Ci, Co].
 * That runs on wasm's XNNPACK Conv2D instead of a scalar loop.
 *
 * tfjs's conv gradients reject dilations > 1 on every backend (Conv2D_grad asserts it), and
 * the kernel's attributes carry no dilation, so the forward dilation is always 1 here.
 *
 * This module does not import the wasm package: importing it registers the wasm backend,
 * which then outranks cpu as tfjs's default in processes that never asked for wasm.
 */
export const wasmConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};

function conv2DBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs;
  if (!x || !dy || !attrs) throw new Error('Conv2DBackpropFilter: needs inputs x and dy and its attributes');
  if (!isKernelBackend(backend)) throw new Error('Conv2DBackpropFilter: called without a backend');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  // The wasm Conv2D forward kernel only accepts NHWC, so no NCHW conv has a gradient to take here.
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${dataFormat}`);

  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { filterHeight, filterWidth, strideHeight, strideWidth, inHeight, inWidth, outHeight, outWidth } = info;
  const { top, left } = info.padInfo;
  // Extra rows/columns past the input that the last filter tap of the last output reads.
  const bottom = Math.max(0, filterHeight - 1 + (outHeight - 1) * strideHeight + 1 - inHeight - top);
  const right = Math.max(0, filterWidth - 1 + (outWidth - 1) * strideWidth + 1 - inWidth - left);

  const run = (kernelName: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap): tf.TensorInfo => {
    const out = tf.getKernel(kernelName, 'wasm').kernelFunc({ inputs: kernelInputs, backend, attrs: kernelAttrs });
    if (Array.isArray(out)) throw new Error(`wasm ${kernelName} returned several outputs`);
    return out;
  };
  const intermediates: tf.TensorInfo[] = [];
  const step = (kernelName: string, kernelInputs: tf.NamedTensorInfoMap, kernelAttrs: tf.NamedAttrMap): tf.TensorInfo => {
    const out = run(kernelName, kernelInputs, kernelAttrs);
    intermediates.push(out);
    return out;
  };
  try {
    const xT = step('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = step('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const full = step(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    const needsCrop = full.shape[1] !== filterHeight || full.shape[2] !== filterWidth;
    const cropped = needsCrop ? step('Slice', { x: full }, { begin: [0, 0, 0, 0], size: [-1, filterHeight, filterWidth, -1] }) : full;
    return run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

/** Kernels receive their backend untyped; this one only needs `disposeData`, which every backend has. */
function isKernelBackend(backend: unknown): backend is tf.KernelBackend {
  return typeof (backend as { disposeData?: unknown } | null)?.disposeData === 'function';
}
