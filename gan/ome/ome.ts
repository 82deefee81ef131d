import * as tf from '@tensorflow/tfjs';
import type { Batch, Objective } from '../architecture.js';
import { ganLoss } from '../losses/adversarial.js';
import { activeFeatureNetwork } from '../losses/feature-network.js';
import { lpipsTo } from '../losses/lpips.js';
import { l2Loss } from '../losses/pixel.js';
import { logisticObjective } from './discriminator-objective.js';
import { buildOmeNetworks, OME_NETWORKS } from './networks.js';
import { offsetIterations } from './offset-iterations.js';
import { omeOptionsSchema, omeTestOptions, type OmeOptions } from './options.js';
import { stopGradient } from './stop-gradient.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

/**
 * OME, the offset-based multi-scale codes GAN encoder (Guo, Shao & Li 2023, The Visual
 * Computer): an encoder that translates a condition image by iteratively steering a frozen
 * pretrained unconditional generator (§3.1–3.3), trained with eq. (15)'s L2 + LPIPS losses
 * on every step's output (§3.4–3.5).
 *
 * OME needs a pretrained generator, and none can be downloaded here: train one first with
 * the `ome-pretrain` architecture (same options) on the target images, then start `ome`
 * from its weights (`adoptPretrainedWeights` in ome/pretrained.ts, or load the pretrained
 * served model's weights into this one's: both hold the generator and the average codes).
 * Trained from scratch, `ome` steers a random generator, which still runs but cannot
 * produce the target style.
 *
 * Losses: λ₁·L2 (eq. 12, PyTorch `mse_loss`, as pSp) + λ₂·LPIPS (eq. 13, on the active
 * feature network: a converted pretrained net when the trainer loads one, else the seeded
 * random substitute), each summed over the N steps. The face identity loss (eq. 14) needs
 * a pretrained ArcFace and is left out, as the paper does for non-face tasks (λ₃ = 0). An
 * optional non-saturating adversarial term against the pretrained D_uncond (`adversarialWeight`,
 * 0 in the paper) brings the discriminator into training; without it there is none.
 */
export const ome = registerArchitecture<OmeOptions>({
  name: 'ome',
  paper: 'Guo, Shao & Li 2023, Image-to-image translation using an offset-based multi-scale codes GAN encoder (The Visual Computer 40); ome-gan-encoder.txt',
  data: 'paired',
  options: omeOptionsSchema,
  testOptions: omeTestOptions,
  served: OME_NETWORKS.served,
  inputSize: (o) => o.imageSize,
  build(o) {
    // Create the perceptual feature network now, so its fixed weights exist before training.
    activeFeatureNetwork();
    return buildOmeNetworks(o, 'encoder', o.adversarialWeight > 0);
  },
  generatorObjective(nets, { a, b }: Batch, o): Objective {
    const images = offsetIterations(nets, a, o, true);
    const terms: Record<string, tf.Scalar> = {};
    const weighted: tf.Scalar[] = [];
    const addTerm = (name: string, weight: number, loss: (image: tf.Tensor4D) => tf.Scalar) => {
      if (weight === 0) return;
      const term = sum(images.map(loss));
      terms[name] = term;
      weighted.push(term.mul(weight));
    };
    addTerm('pixel', o.pixelWeight, (image) => l2Loss(image, b));
    if (o.lpipsWeight > 0) addTerm('lpips', o.lpipsWeight, lpipsTo(activeFeatureNetwork(), b));
    if (o.adversarialWeight > 0) {
      const discriminator = network(nets, 'discriminators', OME_NETWORKS.discriminator);
      addTerm('adversarial', o.adversarialWeight, (image) => ganLoss('vanilla', trainingForward(discriminator, image), true));
    }
    if (weighted.length === 0) throw new Error('ome: every loss weight is 0');
    const total = sum(weighted);
    return { total, terms };
  },
  discriminatorObjective(nets, { a, b }: Batch, o): Objective {
    const images = offsetIterations(nets, a, o, true);
    const final = stopGradient(images[images.length - 1]!);
    return logisticObjective(network(nets, 'discriminators', OME_NETWORKS.discriminator), b, final, o.r1Gamma);
  },
});

function sum(terms: tf.Scalar[]): tf.Scalar {
  return tf.addN(terms) as tf.Scalar;
}
