import * as tf from '@tensorflow/tfjs';
import type { CountsFlops } from '../shared/layers/counts-flops.js';

export interface FlopCount {
  /** Per image: 2 × the multiply-adds of the convolutions, transposed convolutions and dense layers. */
  flops: number;
  /**
   * Class names of layers with weights beyond per-channel vectors that have neither a rule
   * here nor a `flops()` hook; their FLOPs were estimated from the weights' ranks (see
   * `approximateFlops`), which misses anything quadratic in the positions such as attention
   * maps. Such a layer should implement `CountsFlops`.
   */
  approximated: string[];
}

/**
 * Counts the FLOPs of one forward pass from the built layer graph: every node of the model
 * (so a layer applied twice counts twice), nested models recursively, at the shapes the
 * model was built for. Normalisations, activations, pads and element-wise ops are ignored;
 * they are small next to the convolutions of these networks.
 *
 * A fully convolutional model whose input leaves H and W free (AnimeGAN's generator) has no
 * shapes to count at; `inputSize` gives them: the model's topology is rebuilt with a square
 * input of that side (weights not copied) and counted.
 */
export function countFlops(model: tf.LayersModel, options: { inputSize?: number } = {}): FlopCount {
  const freeSize = model.inputs.some((input) => input.shape.slice(1, -1).some((d) => d == null));
  if (freeSize && options.inputSize !== undefined) {
    const fixed = withSquareInputs(model, options.inputSize);
    try {
      return countFlops(fixed);
    } finally {
      fixed.dispose();
    }
  }
  let flops = 0;
  const approximated = new Set<string>();
  for (const nodes of Object.values(model.nodesByDepth)) {
    for (const node of nodes) {
      const layer = node.outboundLayer;
      if (layer instanceof tf.LayersModel) {
        const inner = countFlops(layer);
        flops += inner.flops;
        inner.approximated.forEach((name) => approximated.add(name));
        continue;
      }
      const inputs = shapes(node.inputShapes);
      const outputs = shapes(node.outputShapes);
      const counted = layerFlops(layer, inputs, outputs);
      if (counted !== undefined) {
        flops += counted;
        continue;
      }
      approximated.add(layer.getClassName());
      flops += approximateFlops(layer, outputs[0]!);
    }
  }
  return { flops, approximated: [...approximated].sort() };
}

/** `model`'s layer graph rebuilt with every input's free H and W set to `size`, with fresh weights. */
function withSquareInputs(model: tf.LayersModel, size: number): tf.LayersModel {
  const config = model.getConfig() as { layers: { className: string; config: { batchInputShape?: (number | null)[] } }[] };
  for (const layer of config.layers) {
    const shape = layer.config.batchInputShape;
    if (layer.className === 'InputLayer' && shape) {
      layer.config.batchInputShape = shape.map((d, axis) => (d == null && axis > 0 && axis < shape.length - 1 ? size : d));
    }
  }
  return tf.LayersModel.fromConfig(tf.LayersModel, config) as tf.LayersModel;
}

/** FLOPs of a layer we have a rule for, or undefined; element-wise layers count 0. */
function layerFlops(layer: tf.layers.Layer, inputs: tf.Shape[], outputs: tf.Shape[]): number | undefined {
  if (hasFlopsHook(layer)) return layer.flops(inputs, outputs);
  const config = layer.getConfig();
  const input = inputs[0]!;
  const output = outputs[0]!;
  const inChannels = dim(input.at(-1));
  const outChannels = dim(output.at(-1));
  // tfjs conv layers store kernelSize as one size per spatial axis.
  const kernel = () => (config.kernelSize as number[]).reduce((a, b) => a * b, 1);
  switch (layer.getClassName()) {
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
      return 2 * positions(output) * outChannels * kernel() * inChannels;
    // Each input position scatters a kernel-sized patch into every output channel.
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
      return 2 * positions(input) * inChannels * kernel() * outChannels;
    case 'DepthwiseConv2D':
      return 2 * positions(output) * outChannels * kernel();
    case 'SeparableConv2D': {
      const depthwiseChannels = inChannels * ((config.depthMultiplier as number | undefined) ?? 1);
      return 2 * positions(output) * depthwiseChannels * (kernel() + outChannels);
    }
    case 'Dense':
      return 2 * positions(output) * inChannels * outChannels;
    // Its weights are one slope per activation: element-wise, ignored.
    case 'PReLU':
      return 0;
    default:
      // Only per-channel vectors (norm scales and shifts, biases): element-wise, ignored.
      return layer.weights.every((w) => w.shape.length <= 1) ? 0 : undefined;
  }
}

/**
 * A layer without a rule or hook, judged by the rank of its weights: a rank-4 kernel
 * [kh, kw, in, out] is applied at every output position (exact for a stride-1 conv such as
 * a modulated or atrous one), a matrix once per image (e.g. the style affine of a
 * modulated conv), vectors and constants not at all.
 */
function approximateFlops(layer: tf.layers.Layer, output: tf.Shape): number {
  let flops = 0;
  for (const w of layer.weights) {
    const size = w.shape.reduce((n: number, d) => n * (d ?? 1), 1);
    if (w.shape.length === 4) flops += 2 * size * positions(output);
    else if (w.shape.length === 2) flops += 2 * size;
  }
  return flops;
}

function hasFlopsHook(layer: tf.layers.Layer): layer is tf.layers.Layer & CountsFlops {
  return typeof (layer as Partial<CountsFlops>).flops === 'function';
}

function shapes(s: tf.Shape | tf.Shape[]): tf.Shape[] {
  return Array.isArray(s[0]) ? (s as tf.Shape[]) : [s as tf.Shape];
}

/** Spatial (or sequence) positions of an NHWC-like shape: all but batch and channels. */
function positions(shape: tf.Shape): number {
  return shape.slice(1, -1).reduce((n: number, d) => n * dim(d), 1);
}

function dim(d: number | null | undefined): number {
  if (d == null) throw new Error('FLOPs need a model built for a fixed input size');
  return d;
}
