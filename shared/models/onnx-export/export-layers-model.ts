import * as tf from '@tensorflow/tfjs';
import { convNode, type ConvQuantization } from './conv-node.js';
import { ONNX_OPSET, OnnxGraph, type AttributeValue } from './onnx-graph.js';

/*
 * tfjs LayersModel (NHWC, Keras layers and the zoo's custom layers) → ONNX ModelProto.
 *
 * The ONNX model keeps the tfjs interface: one input [batch, height, width, C] and one output
 * [batch, height', width', C'], float32, with batch, height and width free (dynamic). Inside,
 * the graph runs NCHW (ONNX's conv layout): a Transpose after the input and before the output,
 * every weight laid out for NCHW here, channel axes mapped. A batch norm whose input is a
 * conv used by nothing else is folded into that conv's weights and bias.
 */

/** A layer the exporter has no ONNX translation for, or a setting of one it does not support. */
export class UnsupportedLayerError extends Error {
  override readonly name = 'UnsupportedLayerError';
  constructor(
    readonly layerClass: string,
    readonly layerName: string,
    reason: string,
  ) {
    super(`cannot export layer ${layerName} (${layerClass}) to ONNX: ${reason}`);
  }
}

/** NHWC axis → NCHW axis. */
const NCHW_AXIS = [0, 2, 3, 1] as const;

type Config = tf.serialization.ConfigDict;

const pair = (value: unknown): [number, number] => {
  const v = Array.isArray(value) ? value : [value, value];
  return [Number(v[0]), Number(v[1])];
};

interface ExportContext {
  graph: OnnxGraph;
  layer: tf.layers.Layer;
  config: Config;
  /** The ONNX tensors of the layer's inputs, in order. */
  inputs: string[];
  /** The batch norm to fold into this conv, when there is one. */
  foldedNorm: tf.layers.Layer | undefined;
  quantization: ConvQuantization;
}

function refuse(c: ExportContext, reason: string): never {
  throw new UnsupportedLayerError(c.layer.getClassName(), c.layer.name, reason);
}

function only(c: ExportContext): string {
  if (c.inputs.length !== 1) refuse(c, `expected one input, got ${c.inputs.length}`);
  return c.inputs[0]!;
}

/** A layer's weights: its variables' own tensors (read, never disposed here). */
const weights = (layer: tf.layers.Layer) => layer.getWeights();

/** Keras activations by their config name; returns the activated tensor. */
function activation(c: ExportContext, name: unknown, x: string, outputName: string): string {
  const { graph } = c;
  switch (name) {
    case undefined:
    case null:
    case 'linear':
      return x;
    case 'relu':
      return graph.node('Relu', [x], outputName);
    case 'tanh':
      return graph.node('Tanh', [x], outputName);
    case 'sigmoid':
      return graph.node('Sigmoid', [x], outputName);
    case 'elu':
      return graph.node('Elu', [x], outputName, { alpha: { float: 1 } });
    case 'selu':
      return graph.node('Selu', [x], outputName);
    case 'softplus':
      return graph.node('Softplus', [x], outputName);
    case 'hardSigmoid':
      // Keras's hard sigmoid is 0.2·x + 0.5, clipped.
      return graph.node('HardSigmoid', [x], outputName, { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    default:
      return refuse(c, `activation '${String(name)}' is not supported`);
  }
}

/**
 * Per-output-channel scale and shift of an inference batch norm: y = x·scale + shift.
 * Keras's weights are [gamma if scale][beta if center], moving mean, moving variance.
 */
function batchNormAffine(norm: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const config = norm.getConfig();
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== 3) throw new UnsupportedLayerError(norm.getClassName(), norm.name, `normalises axis ${axis}, not the channels`);
  const w = [...weights(norm)];
  const gamma = config.scale === false ? undefined : w.shift();
  const beta = config.center === false ? undefined : w.shift();
  const [mean, variance] = w as [tf.Tensor1D, tf.Tensor1D];
  let scale = tf.rsqrt(variance.add(Number(config.epsilon ?? 1e-3))) as tf.Tensor1D;
  if (gamma) scale = scale.mul(gamma);
  let shift = tf.neg(mean.mul(scale)) as tf.Tensor1D;
  if (beta) shift = shift.add(beta);
  return { scale, shift };
}

/**
 * tf.tidy for a function that returns plain data (typed arrays of weights): tidy walks what
 * its function returns for tensors, element by element, which takes minutes for millions of weights.
 */
function tidyData<T>(fn: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = fn();
  });
  return result as T;
}

/** Which kernel dimension holds the output channels, and how a per-channel vector broadcasts over the kernel. */
type ConvKind = 'conv' | 'depthwise' | 'transpose';

/**
 * A conv's kernel and bias in tfjs's layout, the folded batch norm applied: Conv2D
 * [kh, kw, in, out], DepthwiseConv2D [kh, kw, in, multiplier] (output channel c·multiplier + m),
 * Conv2DTranspose [kh, kw, out, in]. Call inside tf.tidy.
 */
function foldedConvWeights(c: ExportContext, kind: ConvKind): { kernel: tf.Tensor4D; bias: tf.Tensor1D | undefined } {
  const [kernel, bias] = weights(c.layer) as [tf.Tensor4D, tf.Tensor1D | undefined];
  const [, , d2, d3] = kernel.shape;
  const broadcast = (v: tf.Tensor1D) => (kind === 'transpose' ? v.reshape([d2, 1]) : kind === 'depthwise' ? v.reshape([d2, d3]) : v);
  const b = c.config.useBias === false ? undefined : bias;
  if (!c.foldedNorm) return { kernel, bias: b };
  const { scale, shift } = batchNormAffine(c.foldedNorm);
  return { kernel: kernel.mul(broadcast(scale)), bias: (b ? b.mul(scale).add(shift) : shift) as tf.Tensor1D };
}

/** ONNX Conv's weight [out, in/group, kh, kw] (and bias) of a Conv2D or DepthwiseConv2D. */
function convWeights(c: ExportContext, kind: 'conv' | 'depthwise'): { kernel: { dims: number[]; data: Float32Array }; bias: Float32Array | undefined } {
  return tidyData(() => {
    const { kernel, bias } = foldedConvWeights(c, kind);
    const [kh, kw, d2, d3] = kernel.shape;
    const onnx = kind === 'depthwise' ? kernel.transpose([2, 3, 0, 1]).reshape([d2 * d3, 1, kh, kw]) : kernel.transpose([3, 2, 0, 1]);
    return { kernel: { dims: onnx.shape, data: onnx.dataSync() as Float32Array }, bias: bias?.dataSync() as Float32Array | undefined };
  });
}

/** A conv's output is named after the batch norm folded into it, if any. */
const outputName = (c: ExportContext) => c.foldedNorm?.name ?? c.layer.name;

/** ONNX pads [top, left, bottom, right] of a stride-1 'same' conv: TF puts the odd pixel at the end. */
function samePads(kernel: [number, number], dilation: [number, number]): number[] {
  const total = kernel.map((k, i) => (k - 1) * dilation[i]!);
  const begin = total.map((t) => Math.floor(t / 2));
  return [...begin, ...total.map((t, i) => t - begin[i]!)];
}

function conv(c: ExportContext, kind: 'conv' | 'depthwise'): string {
  const x = only(c);
  if (c.config.dataFormat === 'channelsFirst') refuse(c, 'channelsFirst data format');
  const kernelShape = pair(c.config.kernelSize);
  const strides = pair(c.config.strides ?? 1);
  const dilations = pair(c.config.dilationRate ?? 1);
  const attributes: Record<string, AttributeValue> = { kernel_shape: kernelShape, strides, dilations };
  if (c.config.padding === 'same') {
    // Strided 'same' pads depend on the (dynamic) input size; ONNX's SAME_UPPER is TF's rule.
    if (strides[0] === 1 && strides[1] === 1) attributes.pads = samePads(kernelShape, dilations);
    else attributes.auto_pad = 'SAME_UPPER';
  } else if (c.config.padding !== 'valid') {
    refuse(c, `padding ${JSON.stringify(c.config.padding)}`);
  }
  const { kernel, bias } = convWeights(c, kind);
  if (kind === 'depthwise') attributes.group = Number(weights(c.layer)[0]!.shape[2]);
  const y = convNode(c.graph, c.quantization, { name: c.layer.name, input: x, kernel, bias, attributes, outputName: outputName(c) });
  return activation(c, c.config.activation, y, `${c.layer.name}/activation`);
}

/**
 * A transposed conv with stride s as a stride-1 conv to s² phases of the output channels and a
 * DepthToSpace ("sub-pixel" convolution): output row q·s + p of the full transposed conv is
 * Σ_m x[q − m]·W[p + m·s], a conv of ⌈k/s⌉ taps per phase (phases with fewer taps get zeros).
 * ONNX Runtime runs ConvTranspose as a GEMM and a col2im, at a third of its conv speed here,
 * so this is faster even where the zero taps add multiplications (3×3 stride 2: 16 taps for 9).
 * Returns the full output, (H − 1)·s + k rows and columns, before any cropping.
 */
function subPixelConv(c: ExportContext, x: string, kernelSize: number, stride: number): { full: string; extra: number } {
  const { graph, layer } = c;
  const taps = Math.ceil(kernelSize / stride);
  const { kernel, bias } = tidyData(() => {
    const folded = foldedConvWeights(c, 'transpose');
    const [, , out, inChannels] = folded.kernel.shape;
    // [k, k, out, in] → zero-padded to [taps·s, taps·s, out, in] → (m_y, p_y, m_x, p_x, out, in).
    const padded = folded.kernel.pad([[0, taps * stride - kernelSize], [0, taps * stride - kernelSize], [0, 0], [0, 0]]);
    const phases = padded
      .reshape([taps, stride, taps, stride, out, inChannels])
      .transpose([1, 3, 4, 5, 0, 2])
      // The conv reads x[q − (taps − 1) + t]: tap t holds m = taps − 1 − t.
      .reverse([4, 5])
      .reshape([stride * stride * out, inChannels, taps, taps]);
    const phaseBias = folded.bias ? tf.tile(folded.bias, [stride * stride]) : undefined;
    return { kernel: { dims: phases.shape, data: phases.dataSync() as Float32Array }, bias: phaseBias?.dataSync() as Float32Array | undefined };
  });
  const edge = taps - 1;
  const phases = convNode(graph, c.quantization, {
    name: layer.name,
    input: x,
    kernel,
    bias,
    attributes: { kernel_shape: [taps, taps], pads: [edge, edge, edge, edge] },
    outputName: `${layer.name}/phases`,
  });
  // DCR: channel (p_y·s + p_x)·out + o goes to row q·s + p_y, column q·s + p_x.
  const full = graph.node('DepthToSpace', [phases], `${layer.name}/full`, { blocksize: stride, mode: 'DCR' });
  // H + taps − 1 rows of s: (taps·s − k) more at the end than the transposed conv's full output.
  return { full, extra: taps * stride - kernelSize };
}

function convTranspose(c: ExportContext): string {
  const x = only(c);
  if (c.config.dataFormat === 'channelsFirst') refuse(c, 'channelsFirst data format');
  const kernel = pair(c.config.kernelSize);
  const strides = pair(c.config.strides ?? 1);
  if (pair(c.config.dilationRate ?? 1).some((d) => d !== 1)) refuse(c, 'dilated transposed convolution');
  // 'same': output = input·stride, the forward conv's TF padding (odd pixel at the end) cropped off.
  // 'valid': output = (input − 1)·stride + kernel, which is TF's input·stride + max(kernel − stride, 0) when kernel ≥ stride.
  let pads = [0, 0, 0, 0];
  if (c.config.padding === 'same') {
    const total = kernel.map((k, i) => k - strides[i]!);
    if (total.some((t) => t < 0)) refuse(c, "'same' padding with a kernel smaller than the stride");
    const begin = total.map((t) => Math.floor(t / 2));
    pads = [...begin, ...total.map((t, i) => t - begin[i]!)];
  } else if (c.config.padding === 'valid') {
    if (kernel.some((k, i) => k < strides[i]!)) refuse(c, "'valid' padding with a kernel smaller than the stride");
  } else {
    refuse(c, `padding ${JSON.stringify(c.config.padding)}`);
  }
  const { graph, layer } = c;
  let y: string;
  if (kernel[0] === kernel[1] && strides[0] === strides[1] && strides[0] > 1) {
    const { full, extra } = subPixelConv(c, x, kernel[0], strides[0]);
    // pads [top, left, bottom, right] off the full output, plus the sub-pixel conv's extra rows and columns at the end.
    const end = (pad: number) => (pad + extra === 0 ? Number.MAX_SAFE_INTEGER : -(pad + extra));
    y =
      pads.every((p) => p === 0) && extra === 0
        ? full
        : graph.node(
            'Slice',
            [full, graph.int64s(`${layer.name}/starts`, [pads[0]!, pads[1]!]), graph.int64s(`${layer.name}/ends`, [end(pads[2]!), end(pads[3]!)]), graph.int64s(`${layer.name}/axes`, [2, 3])],
            outputName(c),
          );
  } else {
    const { kernel: w, bias } = tf.tidy(() => {
      const folded = foldedConvWeights(c, 'transpose');
      const onnx = folded.kernel.transpose([3, 2, 0, 1]);
      return {
        kernel: graph.floats(`${layer.name}/kernel`, onnx.shape, onnx.dataSync() as Float32Array),
        bias: folded.bias ? graph.floats(`${layer.name}/bias`, folded.bias.shape, folded.bias.dataSync() as Float32Array) : undefined,
      };
    });
    y = graph.node('ConvTranspose', bias ? [x, w, bias] : [x, w], outputName(c), { kernel_shape: kernel, strides, pads });
  }
  return activation(c, c.config.activation, y, `${layer.name}/activation`);
}

/** Inference batch norm that could not be folded: x·scale + shift per channel. */
function batchNorm(c: ExportContext): string {
  const x = only(c);
  return tf.tidy(() => {
    const { scale, shift } = batchNormAffine(c.layer);
    const channels = scale.shape[0];
    const s = c.graph.floats(`${c.layer.name}/scale`, [1, channels, 1, 1], scale.dataSync() as Float32Array);
    const t = c.graph.floats(`${c.layer.name}/shift`, [1, channels, 1, 1], shift.dataSync() as Float32Array);
    return c.graph.node('Add', [c.graph.node('Mul', [x, s], `${c.layer.name}/scaled`), t], c.layer.name);
  });
}

/** The learned per-channel scale and shift of the zoo's InstanceNorm/LayerNorm (ones and zeros when not affine). */
function normAffine(c: ExportContext): { gamma: Float32Array; beta: Float32Array } | undefined {
  const [gamma, beta] = weights(c.layer);
  if (!gamma || !beta) return undefined;
  return { gamma: gamma.dataSync() as Float32Array, beta: beta.dataSync() as Float32Array };
}

function instanceNorm(c: ExportContext, channels: number): string {
  const x = only(c);
  const affine = normAffine(c) ?? { gamma: new Float32Array(channels).fill(1), beta: new Float32Array(channels) };
  const gamma = c.graph.floats(`${c.layer.name}/gamma`, [channels], affine.gamma);
  const beta = c.graph.floats(`${c.layer.name}/beta`, [channels], affine.beta);
  return c.graph.node('InstanceNormalization', [x, gamma, beta], c.layer.name, { epsilon: { float: Number(c.config.epsilon ?? 1e-5) } });
}

/** layers/layer-norm.ts: one mean and variance per sample over C, H and W, then the per-channel affine. */
function layerNorm(c: ExportContext, channels: number): string {
  const { graph, layer } = c;
  const x = only(c);
  const axes = [1, 2, 3];
  const mean = graph.node('ReduceMean', [x], `${layer.name}/mean`, { axes, keepdims: 1 });
  const centred = graph.node('Sub', [x, mean], `${layer.name}/centred`);
  const variance = graph.node('ReduceMean', [graph.node('Mul', [centred, centred], `${layer.name}/squared`)], `${layer.name}/variance`, { axes, keepdims: 1 });
  const epsilon = graph.floats(`${layer.name}/epsilon`, [], [Number(c.config.epsilon ?? 1e-5)]);
  const std = graph.node('Sqrt', [graph.node('Add', [variance, epsilon], `${layer.name}/variance_eps`)], `${layer.name}/std`);
  const normed = graph.node('Div', [centred, std], `${layer.name}/normed`);
  const affine = normAffine(c);
  if (!affine) return normed;
  const gamma = graph.floats(`${layer.name}/gamma`, [1, channels, 1, 1], affine.gamma);
  const beta = graph.floats(`${layer.name}/beta`, [1, channels, 1, 1], affine.beta);
  return graph.node('Add', [graph.node('Mul', [normed, gamma], `${layer.name}/scaled`), beta], layer.name);
}

/** ONNX Pad's pads for NCHW: [begins of N, C, H, W, ends of N, C, H, W]. */
function spatialPads(top: number, bottom: number, left: number, right: number): number[] {
  return [0, 0, top, left, 0, 0, bottom, right];
}

function pad(c: ExportContext, mode: 'reflect' | 'constant' | 'edge', pads: number[]): string {
  const x = only(c);
  return c.graph.node('Pad', [x, c.graph.int64s(`${c.layer.name}/pads`, pads)], c.layer.name, { mode });
}

function zeroPadding(c: ExportContext): string {
  if (c.config.dataFormat === 'channelsFirst') refuse(c, 'channelsFirst data format');
  // tfjs's config: [[top, bottom], [left, right]].
  const p = c.config.padding;
  const [rows, columns] = Array.isArray(p) ? [pair(p[0]), pair(p[1])] : [pair(p), pair(p)];
  return pad(c, 'constant', spatialPads(rows[0], rows[1], columns[0], columns[1]));
}

/** Keras's [[top, bottom], [left, right]] crop as a Slice of H and W (NCHW axes 2 and 3). */
function cropping(c: ExportContext): string {
  const x = only(c);
  if (c.config.dataFormat === 'channelsFirst') refuse(c, 'channelsFirst data format');
  const p = c.config.cropping;
  const [rows, columns] = Array.isArray(p) ? [pair(p[0]), pair(p[1])] : [pair(p), pair(p)];
  // An end of −0 would be the start; "to the end" is the largest int64 that fits a double exactly.
  const end = (crop: number) => (crop === 0 ? Number.MAX_SAFE_INTEGER : -crop);
  const { graph, layer } = c;
  return graph.node(
    'Slice',
    [x, graph.int64s(`${layer.name}/starts`, [rows[0], columns[0]]), graph.int64s(`${layer.name}/ends`, [end(rows[1]), end(columns[1])]), graph.int64s(`${layer.name}/axes`, [2, 3])],
    layer.name,
  );
}

function resize(c: ExportContext, scales: [number, number], attributes: Record<string, AttributeValue>, outputName = c.layer.name): string {
  const x = only(c);
  const s = c.graph.floats(`${c.layer.name}/scales`, [4], [1, 1, ...scales]);
  return c.graph.node('Resize', [x, '', s], outputName, attributes);
}

/** tfjs's UpSampling2D calls resizeNearestNeighbor / resizeBilinear without half-pixel centres or aligned corners. */
function upSampling(c: ExportContext): string {
  if (c.config.dataFormat === 'channelsFirst') refuse(c, 'channelsFirst data format');
  const size = pair(c.config.size ?? 2);
  return c.config.interpolation === 'bilinear'
    ? resize(c, size, { mode: 'linear', coordinate_transformation_mode: 'asymmetric' })
    : resize(c, size, { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
}

/**
 * layers/blur-upsample.ts: nearest 2× then the [1,2,1]/4 blur. With replicated edges that is
 * bilinear 2× with half-pixel centres (ONNX Resize clamps at the border, as the replication
 * does); with zero edges, the same steps as tfjs runs them.
 */
function blurUpsample(c: ExportContext): string {
  if (c.config.edges === 'replicate') return resize(c, [2, 2], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' });
  const { graph, layer } = c;
  const nearest = resize(c, [2, 2], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, `${layer.name}/nearest`);
  const padded = graph.node('Pad', [nearest, graph.int64s(`${layer.name}/pads`, spatialPads(1, 1, 1, 1))], `${layer.name}/padded`, { mode: 'constant' });
  const pool = { kernel_shape: [2, 2], strides: [1, 1] };
  return graph.node('AveragePool', [graph.node('AveragePool', [padded], `${layer.name}/blur_rows`, pool)], layer.name, pool);
}

function merge(c: ExportContext, op: 'Add' | 'Mul' | 'Max' | 'Min'): string {
  if (c.inputs.length < 2) refuse(c, 'needs at least two inputs');
  // Add and Mul are binary; Sum/Max/Min take any number of inputs.
  const variadic = { Add: 'Sum', Mul: undefined, Max: 'Max', Min: 'Min' }[op];
  if (c.inputs.length === 2 || !variadic) {
    return c.inputs.slice(1).reduce((acc, x, i) => c.graph.node(op, [acc, x], i === c.inputs.length - 2 ? c.layer.name : `${c.layer.name}/${i}`), c.inputs[0]!);
  }
  return c.graph.node(variadic, c.inputs, c.layer.name);
}

function concatenate(c: ExportContext): string {
  const axis = Number(c.config.axis ?? -1);
  const nhwc = axis < 0 ? axis + 4 : axis;
  const onnxAxis = NCHW_AXIS[nhwc];
  if (onnxAxis === undefined) refuse(c, `axis ${axis} of a 4-D tensor`);
  return c.graph.node('Concat', c.inputs, c.layer.name, { axis: onnxAxis });
}

function reLU(c: ExportContext): string {
  const x = only(c);
  const slope = Number(c.config.negativeSlope ?? 0);
  const threshold = Number(c.config.threshold ?? 0);
  if (slope !== 0 || threshold !== 0) refuse(c, 'negative slope or threshold');
  const maxValue = c.config.maxValue;
  if (maxValue == null) return c.graph.node('Relu', [x], c.layer.name);
  return c.graph.node('Clip', [x, c.graph.floats(`${c.layer.name}/min`, [], [0]), c.graph.floats(`${c.layer.name}/max`, [], [Number(maxValue)])], c.layer.name);
}

/**
 * layers/self-attention.ts (SAGAN) over the P = H·W positions, NCHW: 1×1 convs to the query
 * and key [N, C̄, P] and the value [N, C, P]; the attention's transpose keyᵀ·query [N, P_i, P_j]
 * with the softmax over i (axis 1), so that value·that is the attended [N, C, P_j] with no
 * P×P transpose; then x + γ·attended.
 */
function selfAttention(c: ExportContext, channels: number): string {
  const { graph, layer } = c;
  const x = only(c);
  const [queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, gamma] = weights(layer);
  if (!queryKernel || !queryBias || !keyKernel || !keyBias || !valueKernel || !valueBias || !gamma) refuse(c, 'its weights are not built');
  const positions = graph.int64s(`${layer.name}/positions`, [0, 0, -1]);
  const project = (kernel: tf.Tensor, bias: tf.Tensor, role: string) => {
    const data = tidyData(() => kernel.transpose().dataSync() as Float32Array);
    const out = kernel.shape[1]!;
    const y = convNode(graph, c.quantization, {
      name: `${layer.name}/${role}`,
      input: x,
      kernel: { dims: [out, channels, 1, 1], data },
      bias: bias.dataSync() as Float32Array,
      attributes: { kernel_shape: [1, 1] },
      outputName: `${layer.name}/${role}`,
    });
    return graph.node('Reshape', [y, positions], `${layer.name}/${role}_positions`);
  };
  const query = project(queryKernel, queryBias, 'query');
  const key = project(keyKernel, keyBias, 'key');
  const value = project(valueKernel, valueBias, 'value');
  const keyT = graph.node('Transpose', [key], `${layer.name}/key_t`, { perm: [0, 2, 1] });
  const logits = graph.node('MatMul', [keyT, query], `${layer.name}/logits`);
  const attention = graph.node('Softmax', [logits], `${layer.name}/attention`, { axis: 1 });
  const attended = graph.node('MatMul', [value, attention], `${layer.name}/attended`);
  const shaped = graph.node('Reshape', [attended, graph.node('Shape', [x], `${layer.name}/shape`)], `${layer.name}/attended_nchw`);
  const scaled = graph.node('Mul', [shaped, graph.floats(`${layer.name}/gamma`, [], [gamma.dataSync()[0]!])], `${layer.name}/scaled`);
  return graph.node('Add', [x, scaled], layer.name);
}

/** The channel count of a layer's (first) input, from its inferred shape. */
function inputChannels(c: ExportContext): number {
  const { shape } = c.layer.input as tf.SymbolicTensor;
  const channels = shape[shape.length - 1];
  if (typeof channels !== 'number') refuse(c, 'its input has no fixed channel count');
  return channels;
}

/** Translates one layer; undefined: the layer is the identity at inference (its output is its input). */
function exportLayer(c: ExportContext): string | undefined {
  const className = c.layer.getClassName();
  switch (className) {
    case 'Conv2D':
      return conv(c, 'conv');
    case 'DepthwiseConv2D':
      if (Number(c.config.depthMultiplier ?? 1) < 1) refuse(c, 'depth multiplier below 1');
      return conv(c, 'depthwise');
    case 'Conv2DTranspose':
      return convTranspose(c);
    case 'BatchNormalization':
      return batchNorm(c);
    case 'InstanceNorm':
      return instanceNorm(c, inputChannels(c));
    case 'LayerNorm':
      return layerNorm(c, inputChannels(c));
    case 'SelfAttention':
      return selfAttention(c, inputChannels(c));
    case 'ReflectionPad': {
      const p = Number(c.config.padding);
      return pad(c, 'reflect', spatialPads(p, p, p, p));
    }
    case 'ZeroPadding2D':
      return zeroPadding(c);
    case 'Cropping2D':
      return cropping(c);
    case 'UpSampling2D':
      return upSampling(c);
    case 'BlurUpsample':
      return blurUpsample(c);
    case 'Activation':
      return activation(c, c.config.activation, only(c), c.layer.name);
    case 'ReLU':
      return reLU(c);
    case 'LeakyReLU':
      return c.graph.node('LeakyRelu', [only(c)], c.layer.name, { alpha: { float: Number(c.config.alpha ?? 0.3) } });
    case 'Add':
      return merge(c, 'Add');
    case 'Multiply':
      return merge(c, 'Mul');
    case 'Maximum':
      return merge(c, 'Max');
    case 'Minimum':
      return merge(c, 'Min');
    case 'Concatenate':
      return concatenate(c);
    case 'Dropout':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
      only(c);
      return undefined;
    default:
      return refuse(c, 'no ONNX translation for this layer class');
  }
}

export interface ExportedOnnx {
  bytes: Uint8Array;
  opset: number;
  /** Batch norms folded into the conv before them. */
  foldedNorms: number;
}

/**
 * Exports a single-input, single-output NHWC model. `metadata` goes into the file's
 * metadata_props (e.g. the style and version it was made from); `quantization` says how the
 * convs are written (conv-node.ts; int8-export.ts calibrates and checks the int8 graph).
 */
export function exportLayersModelToOnnx(model: tf.LayersModel, metadata: Record<string, string> = {}, quantization: ConvQuantization = { kind: 'float' }): ExportedOnnx {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UnsupportedLayerError(model.getClassName(), model.name, `has ${model.inputs.length} inputs and ${model.outputs.length} outputs; one of each is supported`);
  }
  const graph = new OnnxGraph(model.name);
  const inputShape = model.inputs[0]!.shape;
  const outputShape = model.outputs[0]!.shape;
  const channels = (shape: tf.Shape, what: string) => {
    const c = shape[3];
    if (shape.length !== 4 || typeof c !== 'number') {
      throw new UnsupportedLayerError(model.getClassName(), model.name, `${what} shape [${shape.join(', ')}] is not NHWC with fixed channels`);
    }
    return c;
  };
  const input = graph.input('input', ['batch', 'height', 'width', channels(inputShape, 'input')]);

  // Who reads each layer's output, to see which batch norms can be folded.
  const readers = new Map<string, tf.layers.Layer[]>();
  const inboundLayers = (layer: tf.layers.Layer): tf.layers.Layer[] => {
    if (layer.inboundNodes.length !== 1) {
      throw new UnsupportedLayerError(layer.getClassName(), layer.name, `is applied ${layer.inboundNodes.length} times (shared layers are not supported)`);
    }
    return layer.inboundNodes[0]!.inboundLayers;
  };
  for (const layer of model.layers) {
    for (const source of inboundLayers(layer)) readers.set(source.name, [...(readers.get(source.name) ?? []), layer]);
  }
  const outputLayer = model.outputs[0]!.sourceLayer;

  const tensors = new Map<string, string>();
  const folded = new Set<string>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') {
      tensors.set(layer.name, graph.node('Transpose', [input], `${layer.name}/nchw`, { perm: [0, 3, 1, 2] }));
      continue;
    }
    if (folded.has(layer.name)) continue;
    const inputs = inboundLayers(layer).map((source) => {
      const tensor = tensors.get(source.name);
      if (tensor === undefined) throw new UnsupportedLayerError(layer.getClassName(), layer.name, `reads ${source.name}, which is not before it in the model`);
      return tensor;
    });
    const config = layer.getConfig();
    const next = readers.get(layer.name);
    const convClass = ['Conv2D', 'DepthwiseConv2D', 'Conv2DTranspose'].includes(layer.getClassName());
    const foldedNorm =
      convClass && layer !== outputLayer && (config.activation ?? 'linear') === 'linear' && next?.length === 1 && next[0]!.getClassName() === 'BatchNormalization'
        ? next[0]
        : undefined;
    const output = exportLayer({ graph, layer, config, inputs, foldedNorm, quantization }) ?? inputs[0]!;
    tensors.set(layer.name, output);
    if (foldedNorm) {
      folded.add(foldedNorm.name);
      tensors.set(foldedNorm.name, output);
    }
  }
  const result = tensors.get(outputLayer.name);
  if (result === undefined) throw new Error(`onnx export: the output layer ${outputLayer.name} was not exported`);
  const nhwc = graph.node('Transpose', [result], `${outputLayer.name}/nhwc`, { perm: [0, 2, 3, 1] });
  graph.output(nhwc, 'output', ['batch', 'output_height', 'output_width', channels(outputShape, 'output')]);
  return { bytes: graph.encode(metadata), opset: ONNX_OPSET, foldedNorms: folded.size };
}
