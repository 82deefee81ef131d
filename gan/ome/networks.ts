import * as tf from '@tensorflow/tfjs';
import type { Networks } from '../architecture.js';
import { BatchConstant } from '../../shared/layers/batch-constant.js';
import { CodesToBatch } from '../../shared/layers/codes-to-batch.js';
import { DynamicFusion } from '../../shared/layers/dynamic-fusion.js';
import { SharedLayerModel } from '../../shared/layers/shared-layer-model.js';
import { buildDiscriminator } from './discriminator.js';
import { multiScaleEncoder } from './encoder.js';
import { codeCount, type OmeOptions } from './options.js';
import { SharedLayers } from './shared-layers.js';
import { styleMapping, styleSynthesis } from './style-generator.js';
import { topInjectedHead, topInjectedTail } from './top-injected-generator.js';

/** Names of OME's networks in `Networks`. */
export const OME_NETWORKS = {
  /** The served model: condition image → translated image, N unrolled offset steps (Algorithm 1). */
  served: 'ome',
  /** ME: encoder input (x ∥ ŷ_t, or x without offsets) → M (offset) codes. */
  encoder: 'encoder',
  /** Codes [N, M, D] → image: G for a style generator, G_post ∘ DF ∘ G_pre for a top-injected one. */
  synthesis: 'synthesis',
  /** The unconditional generator, latent z [N, D] → image, that pretraining trains. */
  unconditional: 'unconditional',
  /** StyleGAN's mapping network z → w (style generators only). */
  mapping: 'mapping',
  /** The unconditional generator's discriminator. */
  discriminator: 'D_uncond',
} as const;

/** Layer name of the average codes {z_m,0} inside the served model. */
const AVERAGE_CODE_LAYER = 'ome_average_code';

/**
 * Which part trains: `encoder` for OME itself (encoder and fusion module; the pretrained
 * generator is frozen, §3.5: "our method does not involve the training of the GANs"), or
 * `generator` for pretraining the unconditional generator (mapping and synthesis).
 */
export type TrainedPart = 'encoder' | 'generator';

/**
 * Builds OME (Guo et al. 2023) over an unconditional generator, all parts sharing weights:
 * the served functional model unrolls Algorithm 1 — average codes (a non-trainable weight)
 * → ŷ_0, then N times: I_t = x ∥ ŷ_t, z_{t+1} = z_t + ME(I_t), ŷ_{t+1} = G(z_{t+1}) — so
 * the saved model needs no code to run. The other networks are views of the same layers
 * (`SharedLayerModel`s, so that disposing every network frees every weight).
 * The discriminator is built only `withDiscriminator` (the trainer runs no discriminator
 * step for an architecture without one).
 */
export function buildOmeNetworks(options: OmeOptions, trained: TrainedPart, withDiscriminator: boolean): Networks {
  const encoderLayers = new SharedLayers('enc');
  const generatorLayers = new SharedLayers('gen');
  const omeLayers = new SharedLayers('ome');
  const size = options.imageSize;
  const codes = codeCount(options);

  const synthesize = (z: tf.SymbolicTensor): tf.SymbolicTensor => {
    if (options.generator === 'style') return styleSynthesis(generatorLayers, z, options);
    if (codes === 1) {
      const latent = omeLayers.apply('latent', (name) => tf.layers.reshape({ targetShape: [options.codeSize], name }), z);
      return topInjectedTail(generatorLayers, topInjectedHead(generatorLayers, latent, options), options);
    }
    const folded = omeLayers.apply('fold_codes', (name) => new CodesToBatch({ name }), z);
    const features = topInjectedHead(generatorLayers, folded, options);
    const fusion = (name: string) => new DynamicFusion({ codes, reduction: options.fusionReduction, dynamic: options.dynamicFusion, name });
    return topInjectedTail(generatorLayers, omeLayers.apply('fusion', fusion, features), options);
  };

  const codesInput = tf.input({ shape: [codes, options.codeSize], name: 'codes' });
  const synthesis = new SharedLayerModel({ inputs: codesInput, outputs: synthesize(codesInput), name: OME_NETWORKS.synthesis });

  const encoderInput = tf.input({ shape: [size, size, options.offsets ? 6 : 3], name: 'encoder_input' });
  const encoder = new SharedLayerModel({ inputs: encoderInput, outputs: multiScaleEncoder(encoderLayers, encoderInput, options), name: OME_NETWORKS.encoder });

  const condition = tf.input({ shape: [size, size, 3], name: 'condition' });
  let output: tf.SymbolicTensor;
  if (options.offsets) {
    const average = (name: string) => new BatchConstant({ shape: [codes, options.codeSize], learned: false, initializer: 'zeros', name });
    let z = omeLayers.apply('average_code', average, condition);
    output = synthesize(z);
    for (let step = 0; step < options.steps; step++) {
      const input = omeLayers.apply('encoder_input', (name) => tf.layers.concatenate({ axis: -1, name }), [condition, output]);
      const offsets = multiScaleEncoder(encoderLayers, input, options);
      z = omeLayers.apply('update', (name) => tf.layers.add({ name }), [z, offsets]);
      output = synthesize(z);
    }
  } else {
    output = synthesize(multiScaleEncoder(encoderLayers, condition, options));
  }
  const served = new SharedLayerModel({ inputs: condition, outputs: output, name: OME_NETWORKS.served });

  const latent = tf.input({ shape: [options.codeSize], name: 'latent' });
  const generators: Record<string, tf.LayersModel> = { [OME_NETWORKS.served]: served, [OME_NETWORKS.encoder]: encoder, [OME_NETWORKS.synthesis]: synthesis };
  if (options.generator === 'style') {
    const w = styleMapping(generatorLayers, latent, options);
    const perLayer =
      codes === 1
        ? generatorLayers.apply('w_row', (name) => tf.layers.reshape({ targetShape: [1, options.codeSize], name }), w)
        : generatorLayers.apply('w_broadcast', (name) => tf.layers.repeatVector({ n: codes, name }), w);
    generators[OME_NETWORKS.unconditional] = new SharedLayerModel({ inputs: latent, outputs: styleSynthesis(generatorLayers, perLayer, options), name: OME_NETWORKS.unconditional });
    // Its own call of the mapping layers: each model releases the calls it holds when disposed.
    const mappingInput = tf.input({ shape: [options.codeSize], name: 'mapping_latent' });
    generators[OME_NETWORKS.mapping] = new SharedLayerModel({ inputs: mappingInput, outputs: styleMapping(generatorLayers, mappingInput, options), name: OME_NETWORKS.mapping });
  } else {
    const image = topInjectedTail(generatorLayers, topInjectedHead(generatorLayers, latent, options), options);
    generators[OME_NETWORKS.unconditional] = new SharedLayerModel({ inputs: latent, outputs: image, name: OME_NETWORKS.unconditional });
  }

  generatorLayers.setTrainable(trained === 'generator');
  encoderLayers.setTrainable(trained === 'encoder');
  omeLayers.setTrainable(trained === 'encoder');
  const discriminators: Record<string, tf.LayersModel> = withDiscriminator ? { [OME_NETWORKS.discriminator]: buildDiscriminator(options) } : {};
  return { generators, discriminators };
}

/** The served model's average codes {z_m,0} ([M, D], broadcast over the batch when applied). */
export function averageCodeLayer(nets: Networks): BatchConstant | undefined {
  const served = nets.generators[OME_NETWORKS.served];
  const layer = served?.layers.find((l) => l.name === AVERAGE_CODE_LAYER);
  return layer instanceof BatchConstant ? layer : undefined;
}
