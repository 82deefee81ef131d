import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Objective } from '../architecture.js';
import { ReflectionPad } from '../../shared/layers/reflection-pad.js';
import { ganLoss } from '../losses/adversarial.js';
import { cycleLoss, identityLoss } from './cycle-loss.js';
import { gradientPenalty } from '../losses/gradient-penalty.js';
import { convBiasBeforeNorm, normLayer, type NormKind } from '../blocks/norm-layer.js';
import { buildPatchGan, patchGanOutputSize } from '../blocks/patchgan.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';
import { convKernelInit } from '../blocks/weight-init.js';

/*
 * CycleGAN (Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent
 * Adversarial Networks", ICCV 2017) as the reference toolkit builds it
 * (junyanz/pytorch-CycleGAN-and-pix2pix, `ResnetGenerator` in models/networks.py and
 * models/cycle_gan_model.py). G_A: A → B, G_B: B → A; D_A judges B images, D_B judges A
 * images (the reference's naming). The discriminators see G_A's and G_B's fakes through the
 * run's image pools (the reference's fake_B_pool and fake_A_pool; pool_size 50).
 *
 * Where tfjs differs from PyTorch (see also pix2pix.ts):
 * - Conv2d(k3, s2, p1) on an even size: PyTorch's output only reaches the top/left pad
 *   (the bottom/right one is never used), tfjs 'same' pads bottom/right only, so the
 *   sampling grid would be shifted by a pixel. Explicit zero padding + 'valid' matches.
 * - ConvTranspose2d(k3, s2, p1, output_padding=1): of the full 2H+1 output PyTorch drops
 *   the first row/column, tfjs 'same' the last. A 'valid' transposed conv cropped by one
 *   at the top/left matches.
 */

export const cycleganOptions = z
  .object({
    imageSize: z.number().int().min(16).default(256),
    ngf: z.number().int().min(1).default(64),
    ndf: z.number().int().min(1).default(64),
    netG: z.enum(['resnet_9blocks', 'resnet_6blocks']).default('resnet_9blocks'),
    norm: z.enum(['batch', 'instance']).default('instance'),
    ganMode: z.enum(['vanilla', 'lsgan', 'wgangp']).default('lsgan'),
    lambdaA: z.number().min(0).default(10),
    lambdaB: z.number().min(0).default(10),
    lambdaIdentity: z.number().min(0).default(0.5),
    /** Weight of the WGAN-GP penalty, used only with ganMode 'wgangp'. */
    lambdaGP: z.number().min(0).default(10),
    dropout: z.boolean().default(false),
    nLayersD: z.number().int().min(1).default(3),
  })
  .refine((o) => o.imageSize % 4 === 0, { error: 'imageSize must be a multiple of 4', path: ['imageSize'] })
  .refine((o) => patchGanOutputSize(o.imageSize, o.nLayersD) >= 1, { error: 'imageSize too small for nLayersD', path: ['imageSize'] });
export type CycleganOptions = z.infer<typeof cycleganOptions>;

const residualBlocks = { resnet_9blocks: 9, resnet_6blocks: 6 } as const;

export interface ResnetOptions {
  name: string;
  imageSize: number;
  inputChannels: number;
  outputChannels: number;
  blocks: number;
  ngf: number;
  norm: NormKind;
  dropout: boolean;
}

/**
 * `ResnetGenerator`: reflection pad 3 + 7×7 conv to ngf, two stride-2 3×3 convs (ngf·2,
 * ngf·4), `blocks` residual blocks (reflection pad 1, 3×3 conv, norm, ReLU, [dropout 0.5],
 * reflection pad 1, 3×3 conv, norm; plus the input), two stride-2 transposed convs back to
 * ngf, reflection pad 3 + 7×7 conv to the output channels and tanh.
 */
export function buildResnetGenerator(o: ResnetOptions): tf.LayersModel {
  const bias = convBiasBeforeNorm(o.norm);
  const input = tf.input({ shape: [o.imageSize, o.imageSize, o.inputChannels], name: `${o.name}_input` });
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const conv = (x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, useBias: boolean, name: string) =>
    apply(tf.layers.conv2d({ filters, kernelSize, strides, padding: 'valid', useBias, kernelInitializer: convKernelInit(), name }), x);
  const reflect = (x: tf.SymbolicTensor, padding: number, name: string) => apply(new ReflectionPad({ padding, name }), x);
  const normRelu = (x: tf.SymbolicTensor, name: string) => apply(tf.layers.reLU({ name: `${name}_relu` }), apply(normLayer(o.norm, `${name}_norm`), x));

  let x = normRelu(conv(reflect(input, 3, `${o.name}_stem_pad`), o.ngf, 7, 1, bias, `${o.name}_stem_conv`), `${o.name}_stem`);
  for (let i = 1; i <= 2; i++) {
    const name = `${o.name}_down${i}`;
    const padded = apply(tf.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }), x);
    x = normRelu(conv(padded, o.ngf * 2 ** i, 3, 2, bias, `${name}_conv`), name);
  }
  const width = o.ngf * 4;
  for (let i = 0; i < o.blocks; i++) {
    const name = `${o.name}_res${i}`;
    let h = normRelu(conv(reflect(x, 1, `${name}_pad1`), width, 3, 1, bias, `${name}_conv1`), `${name}_1`);
    if (o.dropout) h = apply(tf.layers.dropout({ rate: 0.5, name: `${name}_dropout` }), h);
    h = conv(reflect(h, 1, `${name}_pad2`), width, 3, 1, bias, `${name}_conv2`);
    h = apply(normLayer(o.norm, `${name}_2_norm`), h);
    x = apply(tf.layers.add({ name: `${name}_add` }), [x, h]);
  }
  for (let i = 2; i >= 1; i--) {
    const name = `${o.name}_up${i}`;
    const full = apply(
      tf.layers.conv2dTranspose({ filters: o.ngf * 2 ** (i - 1), kernelSize: 3, strides: 2, padding: 'valid', useBias: bias, kernelInitializer: convKernelInit(), name: `${name}_deconv` }),
      x,
    );
    x = normRelu(
      apply(
        tf.layers.cropping2D({
          cropping: [
            [1, 0],
            [1, 0],
          ],
          name: `${name}_crop`,
        }),
        full,
      ),
      name,
    );
  }
  x = conv(reflect(x, 3, `${o.name}_out_pad`), o.outputChannels, 7, 1, true, `${o.name}_out_conv`);
  const output = apply(tf.layers.activation({ activation: 'tanh', name: `${o.name}_tanh` }), x);
  return tf.model({ inputs: input, outputs: output, name: o.name });
}

export const cyclegan = registerArchitecture<CycleganOptions>({
  name: 'cyclegan',
  paper: 'Zhu et al. 2017, Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial Networks; reference junyanz/pytorch-CycleGAN-and-pix2pix',
  data: 'unpaired',
  options: cycleganOptions,
  testOptions: { imageSize: 32, ngf: 4, ndf: 4, netG: 'resnet_6blocks' },
  served: 'G_A',
  imagePoolSize: 50,
  inputSize: (o) => o.imageSize,
  // Two stride-2 convs make it 4; the residual blocks' reflection pads at 1/4 of the image
  // need at least 2 samples per side, hence 8.
  servedSizeMultiple: () => 8,
  build(o) {
    const generator = (name: string) =>
      buildResnetGenerator({ name, imageSize: o.imageSize, inputChannels: 3, outputChannels: 3, blocks: residualBlocks[o.netG], ngf: o.ngf, norm: o.norm, dropout: o.dropout });
    const discriminator = (name: string) => buildPatchGan({ name, imageSize: o.imageSize, inputChannels: 3, ndf: o.ndf, nLayers: o.nLayersD, norm: o.norm });
    return {
      generators: { G_A: generator('G_A'), G_B: generator('G_B') },
      discriminators: { D_A: discriminator('D_A'), D_B: discriminator('D_B') },
    };
  },
  generatorObjective(nets, { a, b }: Batch, o): Objective {
    const [G_A, G_B] = [network(nets, 'generators', 'G_A'), network(nets, 'generators', 'G_B')];
    const [D_A, D_B] = [network(nets, 'discriminators', 'D_A'), network(nets, 'discriminators', 'D_B')];
    const fakeB = trainingForward(G_A, a);
    const fakeA = trainingForward(G_B, b);
    const terms: Record<string, tf.Scalar> = {
      ganA: ganLoss(o.ganMode, trainingForward(D_A, fakeB), true),
      ganB: ganLoss(o.ganMode, trainingForward(D_B, fakeA), true),
      cycleA: cycleLoss(a, trainingForward(G_B, fakeB), o.lambdaA),
      cycleB: cycleLoss(b, trainingForward(G_A, fakeA), o.lambdaB),
    };
    if (o.lambdaIdentity > 0) {
      terms.identityA = identityLoss(b, trainingForward(G_A, b), o.lambdaB, o.lambdaIdentity);
      terms.identityB = identityLoss(a, trainingForward(G_B, a), o.lambdaA, o.lambdaIdentity);
    }
    return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
  },
  discriminatorObjective(nets, { a, b }: Batch, o, context): Objective {
    // D_A tells real B from G_A(a), D_B real A from G_B(b), both fakes drawn through the
    // pools when there are any; each 0.5·(real + fake).
    const fake = (generator: string, source: tf.Tensor4D, stream: string) => {
      const generated = trainingForward(network(nets, 'generators', generator), source);
      return context?.imagePools.query(stream, generated) ?? generated;
    };
    const sides = [
      { key: 'A', D: network(nets, 'discriminators', 'D_A'), real: b, fake: fake('G_A', a, 'fakeB') },
      { key: 'B', D: network(nets, 'discriminators', 'D_B'), real: a, fake: fake('G_B', b, 'fakeA') },
    ];
    const terms: Record<string, tf.Scalar> = {};
    const parts: tf.Scalar[] = [];
    for (const { key, D, real, fake } of sides) {
      const realLoss = (terms[`real${key}`] = ganLoss(o.ganMode, trainingForward(D, real), true));
      const fakeLoss = (terms[`fake${key}`] = ganLoss(o.ganMode, trainingForward(D, fake), false));
      parts.push(realLoss.add(fakeLoss).mul(0.5));
      if (o.ganMode === 'wgangp') {
        parts.push((terms[`gradientPenalty${key}`] = gradientPenalty((x) => trainingForward(D, x), real, fake, { lambda: o.lambdaGP })));
      }
    }
    return { total: tf.addN(parts) as tf.Scalar, terms };
  },
});
