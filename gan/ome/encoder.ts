import * as tf from '@tensorflow/tfjs';
import { featureToCode } from './feature-to-code.js';
import { codeCount, type OmeOptions } from './options.js';
import { resnetBackbone } from './resnet-backbone.js';
import type { SharedLayers } from './shared-layers.js';

/**
 * pSp's split of the codes over the pyramid levels (first 3 codes from the coarsest level,
 * the next 4 from the middle one, the rest from the finest): for StyleGAN2 these are the
 * styles of the 4²–8², 16²–32² and ≥64² layers. OME uses the same encoder (Fig. 3).
 */
const COARSE_CODES = 3;
const MIDDLE_CODES = 4;

/**
 * OME's multi-scale encoder ME (Guo et al. 2023, §3.2, Fig. 3, eq. 3): a ResNet backbone,
 * a standard FPN (Lin et al. 2017: 1×1 lateral convs to `codeSize` channels, nearest 2×
 * top-down upsampling, sums) and one feature-to-code network F2C_m per code.
 * `[N, S, S, C]` (C = 6 for x ∥ ŷ_t, 3 without offsets) → M codes `[N, M, codeSize]`.
 * With `codes: 'multiple'` or `'single'` there is no FPN: every code comes from the coarsest
 * backbone map (the MC ablation and the single-code baseline of §4.2).
 */
export function multiScaleEncoder(scope: SharedLayers, input: tf.SymbolicTensor, options: OmeOptions): tf.SymbolicTensor {
  const { c1, c2, c3 } = resnetBackbone(scope, input, options);
  const count = codeCount(options);
  let sourceOf = (_code: number) => c3;
  if (options.codes === 'multi-scale') {
    const lateral = (name: string, x: tf.SymbolicTensor) => scope.apply(name, (n) => tf.layers.conv2d({ filters: options.codeSize, kernelSize: 1, name: n }), x);
    const topDown = (name: string, coarser: tf.SymbolicTensor, finer: tf.SymbolicTensor) => {
      const up = scope.apply(`${name}_up`, (n) => tf.layers.upSampling2d({ size: [2, 2], name: n }), coarser);
      return scope.apply(`${name}_add`, (n) => tf.layers.add({ name: n }), [up, lateral(`${name}_lateral`, finer)]);
    };
    // Levels are built when a code needs them: with few codes (small images) there are no fine ones.
    let p3: tf.SymbolicTensor | undefined;
    let p2: tf.SymbolicTensor | undefined;
    let p1: tf.SymbolicTensor | undefined;
    const level3 = () => (p3 ??= lateral('fpn_p3_lateral', c3));
    const level2 = () => (p2 ??= topDown('fpn_p2', level3(), c2));
    const level1 = () => (p1 ??= topDown('fpn_p1', level2(), c1));
    sourceOf = (code) => (code < COARSE_CODES ? level3() : code < COARSE_CODES + MIDDLE_CODES ? level2() : level1());
  }
  const codes = Array.from({ length: count }, (_, m) => {
    const code = featureToCode(scope, `f2c${m}`, sourceOf(m), options.codeSize);
    return scope.apply(`f2c${m}_row`, (n) => tf.layers.reshape({ targetShape: [1, options.codeSize], name: n }), code);
  });
  if (codes.length === 1) return codes[0]!;
  return scope.apply('codes', (n) => tf.layers.concatenate({ axis: 1, name: n }), codes);
}
