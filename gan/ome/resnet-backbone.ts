import * as tf from '@tensorflow/tfjs';
import type { OmeOptions } from './options.js';
import type { SharedLayers } from './shared-layers.js';

/** The three feature maps the FPN reads: ends of stages 2, 3 and 4 at S/4, S/8 and S/16. */
export interface BackboneFeatures {
  c1: tf.SymbolicTensor;
  c2: tf.SymbolicTensor;
  c3: tf.SymbolicTensor;
}

const depths: Record<OmeOptions['backbone'], { units: number[]; bottleneck: boolean }> = {
  resnet18: { units: [2, 2, 2, 2], bottleneck: false },
  resnet34: { units: [3, 4, 6, 3], bottleneck: false },
  resnet50: { units: [3, 4, 6, 3], bottleneck: true },
};

/**
 * The encoder's ResNet backbone (He et al. 2016; OME §3.5: ResNet-50 for faces, ResNet-34
 * for scenes), as ReStyle's ResNet encoder (which OME's offset encoder follows) builds it: a
 * 7×7 stride-2 stem with batch norm and PReLU taking the 6-channel x ∥ ŷ_t, then the four
 * stages of basic (18/34) or bottleneck (50) units, strides 1, 2, 2, 2. At a 256² input the
 * stages end at 128², 64², 32², 16²; the last three are the features pSp's FPN reads (c1, c2,
 * c3 at 64², 32², 16²). `encoderWidth` sets the first stage's channels (64 in ResNets).
 */
export function resnetBackbone(scope: SharedLayers, input: tf.SymbolicTensor, options: OmeOptions): BackboneFeatures {
  const { units, bottleneck } = depths[options.backbone];
  const stemConv = (name: string) => tf.layers.conv2d({ filters: options.encoderWidth, kernelSize: 7, strides: 2, padding: 'same', useBias: false, name });
  let h = batchNorm(scope, 'stem_bn', scope.apply('stem_conv', stemConv, input));
  h = scope.apply('stem_prelu', (name) => tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: tf.initializers.constant({ value: 0.25 }), name }), h);
  const stageOutputs: tf.SymbolicTensor[] = [];
  units.forEach((count, stage) => {
    const width = options.encoderWidth * 2 ** stage;
    for (let unit = 0; unit < count; unit++) {
      const strides = unit === 0 && stage > 0 ? 2 : 1;
      h = residualUnit(scope, `s${stage + 1}u${unit + 1}`, h, width, strides, bottleneck);
    }
    stageOutputs.push(h);
  });
  const [, c1, c2, c3] = stageOutputs;
  if (!c1 || !c2 || !c3) throw new Error('resnetBackbone: expected four stages');
  return { c1, c2, c3 };
}

/** A basic (two 3×3) or bottleneck (1×1, 3×3, 1×1 with 4× expansion) unit with its shortcut. */
function residualUnit(scope: SharedLayers, name: string, x: tf.SymbolicTensor, width: number, strides: number, bottleneck: boolean): tf.SymbolicTensor {
  const outChannels = bottleneck ? 4 * width : width;
  const layout = bottleneck
    ? [
        { filters: width, kernelSize: 1, strides: 1 },
        { filters: width, kernelSize: 3, strides },
        { filters: outChannels, kernelSize: 1, strides: 1 },
      ]
    : [
        { filters: width, kernelSize: 3, strides },
        { filters: width, kernelSize: 3, strides: 1 },
      ];
  let h = x;
  layout.forEach((conv, i) => {
    h = batchNorm(scope, `${name}_bn${i + 1}`, convolve(scope, `${name}_conv${i + 1}`, h, conv));
    if (i < layout.length - 1) h = scope.apply(`${name}_relu${i + 1}`, (n) => tf.layers.reLU({ name: n }), h);
  });
  let shortcut = x;
  if (strides !== 1 || x.shape[3] !== outChannels) {
    shortcut = batchNorm(scope, `${name}_down_bn`, convolve(scope, `${name}_down`, x, { filters: outChannels, kernelSize: 1, strides }));
  }
  const sum = scope.apply(`${name}_add`, (n) => tf.layers.add({ name: n }), [h, shortcut]);
  return scope.apply(`${name}_out`, (n) => tf.layers.reLU({ name: n }), sum);
}

function convolve(scope: SharedLayers, name: string, x: tf.SymbolicTensor, conv: { filters: number; kernelSize: number; strides: number }): tf.SymbolicTensor {
  const create = (n: string) => tf.layers.conv2d({ ...conv, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: n });
  return scope.apply(name, create, x);
}

/** Batch norm with PyTorch's defaults (momentum 0.1 of the new batch, ε = 1e-5). */
function batchNorm(scope: SharedLayers, name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return scope.apply(name, (n) => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: n }), x);
}
