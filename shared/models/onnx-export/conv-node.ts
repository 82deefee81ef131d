import type { AttributeValue, OnnxGraph } from './onnx-graph.js';

/*
 * Every Conv the exporter writes goes through here, as float32 or as int8 (static QDQ).
 *
 * int8: the conv's input and output pass through QuantizeLinear → DequantizeLinear with a
 * uint8 scale and zero point from calibration ranges, the kernel is int8 with one symmetric
 * scale per output channel, the bias int32 at input scale × kernel scale. ONNX Runtime fuses
 * each DQ → Conv → Q into one QLinearConv that runs on integer kernels; everything between
 * convs (norms, activations, pads) stays float32.
 */

/** The smallest and largest value a tensor took over the calibration images. */
export interface Range {
  min: number;
  max: number;
}

/**
 * How convs are written: float32 (default); 'probe', float32 with each conv's input and output
 * also a graph output named by `probeName`, to measure their ranges; 'int8', quantized with
 * the ranges measured by the probe graph (keyed by the same names).
 */
export type ConvQuantization = { kind: 'float' } | { kind: 'probe' } | { kind: 'int8'; ranges: ReadonlyMap<string, Range> };

/** The graph output carrying a conv's input or output in a probe graph. */
export const probeName = (conv: string, side: 'input' | 'output') => `${conv}:${side}`;

export interface ConvSpec {
  /** The conv's name (the probe names and the weights' names derive from it). */
  name: string;
  input: string;
  /** ONNX layout [out, in/group, kh, kw]. */
  kernel: { dims: number[]; data: Float32Array };
  bias: Float32Array | undefined;
  attributes: Record<string, AttributeValue>;
  outputName: string;
}

/** uint8 affine quantization of a range (widened to hold 0, so that zero padding stays exact). */
function activationQuantization(range: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(range.min, 0);
  const hi = Math.max(range.max, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Symmetric int8 per output channel (axis 0): scale = max |w| / 127. */
function kernelQuantization(kernel: ConvSpec['kernel']): { values: Int8Array; scales: Float32Array } {
  const [out] = kernel.dims as [number];
  const perChannel = kernel.data.length / out;
  const values = new Int8Array(kernel.data.length);
  const scales = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    let max = 0;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) max = Math.max(max, Math.abs(kernel.data[i]!));
    const scale = max > 0 ? max / 127 : 1;
    scales[o] = scale;
    for (let i = o * perChannel; i < (o + 1) * perChannel; i++) values[i] = Math.round(kernel.data[i]! / scale);
  }
  return { values, scales };
}

function rangeOf(ranges: ReadonlyMap<string, Range>, name: string): Range {
  const range = ranges.get(name);
  if (!range) throw new Error(`int8 export: no calibration range for ${name}`);
  return range;
}

/** QuantizeLinear → DequantizeLinear of an activation with its range. */
function fakeQuantize(graph: OnnxGraph, x: string, range: Range, name: string): string {
  const { scale, zeroPoint } = activationQuantization(range);
  const s = graph.floats(`${name}/scale`, [], [scale]);
  const z = graph.uint8s(`${name}/zero_point`, [], Uint8Array.of(zeroPoint));
  return graph.node('DequantizeLinear', [graph.node('QuantizeLinear', [x, s, z], `${name}/quantized`), s, z], `${name}/dequantized`);
}

/** Writes one Conv as `quantization` says; returns its (float32) output. */
export function convNode(graph: OnnxGraph, quantization: ConvQuantization, spec: ConvSpec): string {
  const { name, input, kernel, bias, attributes, outputName } = spec;
  if (quantization.kind !== 'int8') {
    const w = graph.floats(`${name}/kernel`, kernel.dims, kernel.data);
    const b = bias ? graph.floats(`${name}/bias`, [bias.length], bias) : undefined;
    const y = graph.node('Conv', b ? [input, w, b] : [input, w], outputName, attributes);
    if (quantization.kind === 'probe') {
      graph.output(input, probeName(name, 'input'), undefined);
      graph.output(y, probeName(name, 'output'), undefined);
    }
    return y;
  }
  const inputRange = rangeOf(quantization.ranges, probeName(name, 'input'));
  const x = fakeQuantize(graph, input, inputRange, `${name}/input`);
  const { values, scales } = kernelQuantization(kernel);
  const out = scales.length;
  const w = graph.node(
    'DequantizeLinear',
    [graph.int8s(`${name}/kernel_int8`, kernel.dims, values), graph.floats(`${name}/kernel_scale`, [out], scales), graph.int8s(`${name}/kernel_zero_point`, [out], new Int8Array(out))],
    `${name}/kernel`,
    { axis: 0 },
  );
  const inputs = [x, w];
  if (bias) {
    const inputScale = activationQuantization(inputRange).scale;
    const biasScales = scales.map((s) => s * inputScale);
    const quantizedBias = Int32Array.from(bias, (b, o) => Math.round(b / biasScales[o]!));
    inputs.push(
      graph.node(
        'DequantizeLinear',
        [graph.int32s(`${name}/bias_int32`, [out], quantizedBias), graph.floats(`${name}/bias_scale`, [out], biasScales), graph.int32s(`${name}/bias_zero_point`, [out], new Int32Array(out))],
        `${name}/bias`,
        { axis: 0 },
      ),
    );
  }
  const y = graph.node('Conv', inputs, `${outputName}/float`, attributes);
  return fakeQuantize(graph, y, rangeOf(quantization.ranges, probeName(name, 'output')), outputName);
}
