import * as tf from '@tensorflow/tfjs';
import { AuxiliaryOutputs } from '../../shared/layers/auxiliary-outputs.js';
import { conv, apply } from './convs.js';
import { crossStageAtrousPyramid } from './cross-stage-atrous-pyramid.js';
import { decodedFeatureFusion } from './decoded-feature-fusion.js';
import { encodedFeatureFusion } from './encoded-feature-fusion.js';
import { multiscaleSupervisedAttention } from './multiscale-supervised-attention.js';
import { residualTrunk } from './residual-trunk.js';
import { resizeStage } from './resize-stage.js';

/** Stages of PMSGAN: full, half and quarter resolution. */
export const STAGES = 3;

export interface PmsGeneratorOptions {
  imageSize: number;
  /** Width of stage 1; stage j has baseChannels·2^(j−1) (MIMO-UNet's 32/64/128). */
  baseChannels: number;
  residualBlocks: number;
  denseLayers: number;
  csaspRates: readonly number[];
  channelReduction: number;
  eff: boolean;
  dff: boolean;
  csasp: boolean;
  mssa: boolean;
}

/** Name of the layer giving stage j's image D_j^out(RGB). */
export function stageImageLayer(stage: number): string {
  return `s${stage}_rgb`;
}

/**
 * The PMSGAN generator (§III-A, Fig. 2). Stage j (j = 1, 2, 3) sees the input at 1/2^(j−1)
 * resolution (bilinear downsampling, x^3 from x^2 as MIMO-UNet) and never changes resolution
 * inside: encoder E_j (EFF-fused with E_{j−1}^out for j > 1) → CSASP over all encodings →
 * decoder D_j (DFF-fused with D_{j+1}^out for j < 3) → a 3×3 conv + tanh head giving the
 * stage image D_j^out(RGB). Decoding runs coarse to fine. MSSA turns D_1^out and the three
 * stage images into y^out. The model returns y^out; the stage 2 and 3 images stay in it as
 * auxiliary outputs for the multi-scale losses (`stageOutputs`).
 *
 * Ablations (§IV-B): without EFF each encoder sees only its own input; without CSASP each
 * decoder gets its own encoding; without DFF each decoder its own CSASP/encoding; without
 * MSSA y^out is D_1^out(RGB).
 */
export function buildPmsGenerator(o: PmsGeneratorOptions): tf.LayersModel {
  const width = (stage: number) => o.baseChannels * 2 ** (stage - 1);
  const input = tf.input({ shape: [o.imageSize, o.imageSize, 3], name: 'input' });
  const inputs = [input];
  for (let stage = 2; stage <= STAGES; stage++) inputs.push(resizeStage(inputs[stage - 2]!, stage - 1, stage, `x${stage}`));

  const encodings: tf.SymbolicTensor[] = [];
  for (let stage = 1; stage <= STAGES; stage++) {
    const x = inputs[stage - 1]!;
    const fused = stage > 1 && o.eff ? encodedFeatureFusion(encodings[stage - 2]!, x, { filters: width(stage), denseLayers: o.denseLayers, name: `s${stage}_eff` }) : x;
    encodings.push(residualTrunk(fused, { filters: width(stage), blocks: o.residualBlocks, name: `s${stage}_enc` }));
  }

  const decoderInputs = encodings.map((encoding, index) =>
    o.csasp
      ? crossStageAtrousPyramid(encodings, {
          stage: index + 1,
          filters: width(index + 1),
          rates: o.csaspRates,
          channelReduction: o.channelReduction,
          name: `s${index + 1}_csasp`,
        })
      : encoding,
  );

  const decodings: tf.SymbolicTensor[] = [];
  const images: tf.SymbolicTensor[] = [];
  for (let stage = STAGES; stage >= 1; stage--) {
    const own = decoderInputs[stage - 1]!;
    const fused = stage < STAGES && o.dff ? decodedFeatureFusion(own, decodings[stage]!, { filters: width(stage), name: `s${stage}_dff` }) : own;
    decodings[stage - 1] = residualTrunk(fused, { filters: width(stage), blocks: o.residualBlocks, name: `s${stage}_dec` });
    images[stage - 1] = conv(decodings[stage - 1]!, { filters: 3, kernelSize: 3, activation: 'tanh', name: stageImageLayer(stage) });
  }

  const image = o.mssa ? multiscaleSupervisedAttention(decodings[0]!, images, { filters: width(1), name: 'mssa', outputName: 'mssa_out' }) : images[0]!;
  const output = apply(new AuxiliaryOutputs({ name: 'output' }), [image, ...images.slice(1)]);
  return tf.model({ inputs: input, outputs: output, name: 'G' });
}

const views = new WeakMap<tf.LayersModel, tf.LayersModel>();

/**
 * A view of a PMSGAN generator (built or loaded) sharing its layers that returns
 * [y^out, D_2^out(RGB), D_3^out(RGB)]: full, half and quarter resolution.
 */
export function stageOutputs(generator: tf.LayersModel): tf.LayersModel {
  let view = views.get(generator);
  if (!view) {
    const scaled = Array.from({ length: STAGES - 1 }, (_, i) => generator.getLayer(stageImageLayer(i + 2)).output as tf.SymbolicTensor);
    view = tf.model({ inputs: generator.inputs, outputs: [generator.outputs[0]!, ...scaled] });
    views.set(generator, view);
  }
  return view;
}
