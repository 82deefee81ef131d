import * as tf from '@tensorflow/tfjs';
import type { Batch, Objective } from '../architecture.js';
import { ganLoss } from '../losses/adversarial.js';
import { trackAverageCode } from '../ome/average-code.js';
import { logisticObjective } from '../ome/discriminator-objective.js';
import { buildOmeNetworks, OME_NETWORKS } from '../ome/networks.js';
import { omeOptionsSchema, omeTestOptions, type OmeOptions } from '../ome/options.js';
import { stopGradient } from '../ome/stop-gradient.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

/**
 * Pretraining of the unconditional generator that OME (ome.ts) runs over, standing in for
 * the official StyleGAN2 / ProGAN checkpoints the paper uses (§3.5), which cannot be
 * downloaded here. It trains the `unconditional` generator (mapping + synthesis, or the
 * top-injected generator) on the target images b alone — a is ignored, so unpaired data
 * serves — with StyleGAN2's objectives: non-saturating logistic loss for G, logistic loss
 * plus R1 for D_uncond, latents z ~ N(0, I). Path-length regularisation and style mixing
 * are left out. While it trains, the style generator's average code w̄ is tracked into the
 * served model's average codes, as StyleGAN2 tracks `w_avg`.
 *
 * It builds exactly the networks of `ome` with the same options — the encoder frozen and
 * untrained instead of the generator — so its served model is OME with an untrained
 * encoder: not meant for users, but its weights are where `ome` training starts.
 */
export const omePretrain = registerArchitecture<OmeOptions>({
  name: 'ome-pretrain',
  paper: 'Unconditional generator pretraining for OME (Guo, Shao & Li 2023, §3.5) with StyleGAN2 objectives (Karras et al. 2020); ome-gan-encoder.txt',
  data: 'unpaired',
  options: omeOptionsSchema,
  testOptions: omeTestOptions,
  served: OME_NETWORKS.served,
  inputSize: (o) => o.imageSize,
  build: (o) => buildOmeNetworks(o, 'generator', true),
  generatorObjective(nets, { b }: Batch, o): Objective {
    const latents = tf.randomNormal([b.shape[0], o.codeSize]) as tf.Tensor2D;
    trackAverageCode(nets, latents, o);
    const fake = trainingForward(network(nets, 'generators', OME_NETWORKS.unconditional), latents);
    const adversarial = ganLoss('vanilla', trainingForward(network(nets, 'discriminators', OME_NETWORKS.discriminator), fake), true);
    return { total: adversarial, terms: { adversarial } };
  },
  discriminatorObjective(nets, { b }: Batch, o): Objective {
    const latents = tf.randomNormal([b.shape[0], o.codeSize]);
    const fake = stopGradient(trainingForward(network(nets, 'generators', OME_NETWORKS.unconditional), latents));
    return logisticObjective(network(nets, 'discriminators', OME_NETWORKS.discriminator), b, fake, o.r1Gamma);
  },
});
