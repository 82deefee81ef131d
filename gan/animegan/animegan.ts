import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Batch, Objective, TrainingContext } from '../architecture.js';
import { InstanceNorm } from '../../shared/layers/instance-norm.js';
import { LayerNorm } from '../../shared/layers/layer-norm.js';
import { ReflectionPad } from '../../shared/layers/reflection-pad.js';
import { ganLoss } from '../losses/adversarial.js';
import { gramStyleLoss, grayscale, totalVariationLoss, yuvColourLoss } from './image-losses.js';
import { activeFeatureNetwork } from '../losses/feature-network.js';
import { l1Loss } from '../losses/pixel.js';
import { registerArchitecture } from '../registry.js';
import { network, trainingForward } from '../training-forward.js';

/*
 * AnimeGAN (Chen, Liu & Chen, "AnimeGAN: A Novel Lightweight GAN for Photo Animation",
 * ISICA 2019) in its v2 form (the AnimeGANv2 release, TachibanaYoshino/AnimeGANv2, 2020:
 * net/generator.py, net/discriminator.py, tools/ops.py, AnimeGANv2.py, train.py), whose
 * edge-smoothed negatives come from CartoonGAN and whose surface/texture view of cartoon
 * style (grayscale texture, smoothed surfaces, total variation) White-box Cartoonization
 * (Wang & Yu, CVPR 2020) shares.
 *
 * Generator (v2's G_net, widths at ngf 32): conv-norm-LeakyReLU blocks, 7×7 to ngf, two
 * stride-2 3×3 downsamplings (2·ngf, 4·ngf), `blocks` inverted-residual blocks (1×1
 * expansion to `expansion`× the input width, depthwise 3×3, 1×1 projection to 8·ngf, norm
 * after each; residual when widths match), two ×2 bilinear resizes (tfjs's resizeBilinear
 * without half-pixel centres, as TF1's `tf.image.resize_images` that v2 calls) each followed
 * by a 3×3 conv (no transposed convs, hence no checkerboard), 7×7 back to ngf, 1×1 to RGB, tanh.
 * With `skips: 'concat'` (White-box Cartoonization's U-Net), the encoder's outputs at full and
 * half resolution (a0, a2) join the decoder after d1 and e1.
 * Every conv is reflection-padded and 'valid'; the input is [N, H, W, 3] with H and W free
 * (multiples of 4 come back at the same size), so the worker can serve any resolution.
 *
 * Discriminator (v2's D_net with n_dis 3): 3×3 convs, zero-padded: ndf/2, then per level a
 * stride-2 conv and a stride-1 conv with norm, doubling the widths, a last norm conv and a
 * 3×3 logit conv; LeakyReLU 0.2. One LSGAN score per patch.
 *
 * Losses (v2's defaults; p is the photo, batch.a, and a the anime image, batch.b): G = gAdvWeight·LSGAN(D(G(p)), 1) + conWeight·L1(φ(G(p)), φ(p))
 * + styWeight·L1(gram φ(G(p)), gram φ(gray(a))) + colorWeight·colour_YUV(G(p), p)
 * + tvWeight·TV(G(p)); D = dAdvWeight·(1.2·LSGAN(D(a), 1) + 1.2·LSGAN(D(G(p)), 0)
 * + 1.2·LSGAN(D(gray(a)), 0) + 0.8·LSGAN(D(gray(smooth(a))), 0)). φ is the pluggable feature
 * network (losses/feature-network.ts) at `contentLayer`. The first `initSteps` steps train G
 * alone on conWeight·L1(φ(G(p)), φ(p)) (v2's init phase).
 *
 * Choices where v2 is specific to TF1 or vague:
 * - Spectral norm on D (v2's `--sn True`) is left out: tfjs has no spectral-norm layer; the
 *   layer norms and LSGAN keep D bounded. D's weights are He-normal, as G's (v2 draws D's from N(0, 0.02)).
 * - Stride-2 convs pad reflectively by one on every side (v2 pads bottom/right only); the
 *   output size (H/2 for even H) is the same, the sampling grid is shifted by half a pixel.
 * - v2's init phase is 10 epochs (init_epoch) of 554 steps (6,656 photos, batch 12), so the
 *   default `initSteps` is 5,540. v2 gives it an Adam of its own at 2e-4; here the generator's
 *   Adam carries on into the adversarial phase (its moments included) and the rates follow
 *   v2 as scales of the run's `lr`: 1 in the init phase, then `gLrScale` 0.1 and `dLrScale`
 *   0.2 (2e-5 and 4e-5 at the trainer's default 2e-4). The run's schedule scales both.
 * - The edge-smoothed anime images come from the dataset (`batch.bEdgeSmoothed`, from the
 *   `trainB_smooth` folder) and D sees them in grayscale, as v2 feeds them. A batch without
 *   them fails with MissingEdgeSmoothedError unless `edgePromoting` is false, which drops the
 *   term (an ablation, not v2).
 * - The content/style layer is the feature network's 4th tapped layer by default: with the
 *   converted VGG19 that is block4_conv1 (after its ReLU), next to v2's conv4_4 (before it);
 *   with the random substitute, its 1/8-resolution stage.
 */

export const animeganOptions = z.object({
  /** Training crop side (the generator and discriminator accept any size; this is what `inputSize` reports). */
  imageSize: z.number().int().min(16).default(256),
  /** Width of the first stage; v2's widths are 32, 64, 128, 256 (ngf·1, 2, 4, 8). */
  ngf: z.number().int().min(1).default(32),
  /** Inverted-residual blocks (v2: 8). */
  blocks: z.number().int().min(1).default(8),
  /** Expansion ratio of the inverted-residual blocks (v2: 2). */
  expansion: z.number().min(1).default(2),
  /** v2 normalises by layer norm; instance norm (affine) is AnimeGAN v1's. */
  norm: z.enum(['layer', 'instance']).default('layer'),
  /** D's base width (v2's `ch`, 64; its first conv has ndf/2 channels). */
  ndf: z.number().int().min(2).default(64),
  /** D's `n_dis` (v2: 3): stride-2 levels + 1. */
  nLayersD: z.number().int().min(1).default(3),
  gAdvWeight: z.number().min(0).default(300),
  dAdvWeight: z.number().min(0).default(300),
  conWeight: z.number().min(0).default(1.5),
  styWeight: z.number().min(0).default(2.5),
  colorWeight: z.number().min(0).default(10),
  tvWeight: z.number().min(0).default(1),
  /** v2's per-term weights of D's loss: real anime, generated, grayscale anime, edge-smoothed anime. */
  dRealWeight: z.number().min(0).default(1.2),
  dFakeWeight: z.number().min(0).default(1.2),
  dGrayWeight: z.number().min(0).default(1.2),
  dSmoothWeight: z.number().min(0).default(0.8),
  /** D sees edge-smoothed anime as fake (needs `batch.bEdgeSmoothed`); false drops the term. */
  edgePromoting: z.boolean().default(true),
  /** Steps of the init phase (content loss only, D untrained), trained at the run's `lr` (v2's init_lr 2e-4, the trainer's default). */
  initSteps: z.number().int().min(0).default(5540),
  /**
   * Weight of the YUV colour loss in the init phase (v2: 0, content only). White-box
   * Cartoonization pretrains its generator on an L1 reconstruction of the photo instead;
   * with the random feature network that stands in for VGG, content alone gives neither the
   * photo's colours nor its detail in a few hundred steps, and this term brings both.
   */
  initColorWeight: z.number().min(0).default(0),
  /** G's and D's learning rates after the init phase, relative to the run's `lr` (v2: g_lr 2e-5 and d_lr 4e-5 over init_lr 2e-4). */
  gLrScale: z.number().positive().default(0.1),
  dLrScale: z.number().positive().default(0.2),
  /** Index, in the feature network's tapped layers, of the content and style features. */
  contentLayer: z.number().int().min(0).default(3),
  /**
   * Skip connections from the encoder to the decoder (v2: none). 'concat' joins the first
   * full-resolution and half-resolution encoder stages to the decoder at the same resolution,
   * as White-box Cartoonization's U-Net generator does (it adds them; here they are
   * concatenated because the widths of v2's stages differ): the photo's detail reaches the
   * output without passing through the 1/4-resolution bottleneck.
   */
  skips: z.enum(['none', 'concat']).default('none'),
  /**
   * What D is shown (v2: 'colour'). 'grayscale' shows it every image in grayscale, as White-box
   * Cartoonization's texture discriminator sees its random-grayscale images: D then judges
   * lines and flat shading but not colour, which the colour loss keeps from the photo. On
   * art whose palette is narrow (the Ren'Py games' pink hair and blue skies), a colour D
   * lets G pass for anime by tinting the whole photo. D's grayscale-anime term is then dropped
   * (a gray anime image is what D calls real).
   */
  discriminatorSees: z.enum(['colour', 'grayscale']).default('colour'),
});
export type AnimeganOptions = z.infer<typeof animeganOptions>;

/** A batch without the edge-smoothed anime images that AnimeGAN's edge-promoting term needs. */
export class MissingEdgeSmoothedError extends Error {
  override readonly name = 'MissingEdgeSmoothedError';
  constructor() {
    super(
      'animegan: the batch has no edge-smoothed anime images (batch.bEdgeSmoothed): the dataset needs a trainB_smooth folder ' +
        '(npm run data:build makes it), or train with arch.edgePromoting=false to leave out the edge-promoting term',
    );
  }
}

type Apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => tf.SymbolicTensor;
const apply: Apply = (layer, x) => layer.apply(x) as tf.SymbolicTensor;

function norm(kind: AnimeganOptions['norm'], name: string): tf.layers.Layer {
  return kind === 'layer' ? new LayerNorm({ name }) : new InstanceNorm({ name, affine: true });
}

/** Reflection-padded 'valid' conv, no bias (a norm follows every one but the output). */
function conv(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string, useBias = false): tf.SymbolicTensor {
  const pad = (kernelSize - 1) / 2;
  const padded = pad > 0 ? apply(new ReflectionPad({ padding: pad, name: `${name}_pad` }), x) : x;
  return apply(tf.layers.conv2d({ filters, kernelSize, strides, padding: 'valid', useBias, kernelInitializer: 'heNormal', name }), padded);
}

function convNormLrelu(x: tf.SymbolicTensor, o: AnimeganOptions, filters: number, kernelSize: number, strides: number, name: string): tf.SymbolicTensor {
  const normed = apply(norm(o.norm, `${name}_norm`), conv(x, filters, kernelSize, strides, name));
  return apply(tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_lrelu` }), normed);
}

/** v2's `InvertedRes_block` (MobileNetV2): expand 1×1, depthwise 3×3, project 1×1 (no activation), residual when shapes match. */
function invertedResidual(x: tf.SymbolicTensor, o: AnimeganOptions, filters: number, name: string): tf.SymbolicTensor {
  const inChannels = x.shape[3]!;
  let h = convNormLrelu(x, o, Math.round(o.expansion * inChannels), 1, 1, `${name}_expand`);
  h = apply(new ReflectionPad({ padding: 1, name: `${name}_dw_pad` }), h);
  h = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'valid', useBias: false, depthwiseInitializer: 'heNormal', name: `${name}_dw` }), h);
  h = apply(norm(o.norm, `${name}_dw_norm`), h);
  h = apply(tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_dw_lrelu` }), h);
  h = apply(norm(o.norm, `${name}_project_norm`), conv(h, filters, 1, 1, `${name}_project`));
  return inChannels === filters ? (tf.layers.add({ name: `${name}_residual` }).apply([x, h]) as tf.SymbolicTensor) : h;
}

/** v2's `Unsample`: bilinear ×2 resize, then a 3×3 conv-norm-LeakyReLU. */
function resizeUp(x: tf.SymbolicTensor, o: AnimeganOptions, filters: number, name: string): tf.SymbolicTensor {
  const up = apply(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `${name}_resize` }), x);
  return convNormLrelu(up, o, filters, 3, 1, name);
}

export function buildAnimeganGenerator(o: AnimeganOptions, name = 'G'): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3], name: `${name}_input` });
  const w = (k: number) => o.ngf * k;
  const full = convNormLrelu(input, o, w(1), 7, 1, `${name}_a0`);
  const half = convNormLrelu(convNormLrelu(full, o, w(2), 3, 2, `${name}_a1_down`), o, w(2), 3, 1, `${name}_a2`);
  const withSkip = (decoder: tf.SymbolicTensor, encoder: tf.SymbolicTensor, skipName: string) =>
    o.skips === 'concat' ? (tf.layers.concatenate({ name: `${name}_${skipName}` }).apply([decoder, encoder]) as tf.SymbolicTensor) : decoder;
  let x = convNormLrelu(half, o, w(4), 3, 2, `${name}_b0_down`);
  x = convNormLrelu(x, o, w(4), 3, 1, `${name}_b1`);
  x = convNormLrelu(x, o, w(4), 3, 1, `${name}_c0`);
  for (let i = 0; i < o.blocks; i++) x = invertedResidual(x, o, w(8), `${name}_ir${i}`);
  x = convNormLrelu(x, o, w(4), 3, 1, `${name}_c1`);
  x = resizeUp(x, o, w(4), `${name}_d0_up`);
  x = withSkip(convNormLrelu(x, o, w(4), 3, 1, `${name}_d1`), half, 'skip_half');
  x = resizeUp(x, o, w(2), `${name}_e0_up`);
  x = withSkip(convNormLrelu(x, o, w(2), 3, 1, `${name}_e1`), full, 'skip_full');
  x = convNormLrelu(x, o, w(1), 7, 1, `${name}_e2`);
  x = conv(x, 3, 1, 1, `${name}_out`, true);
  const output = apply(tf.layers.activation({ activation: 'tanh', name: `${name}_tanh` }), x);
  return tf.model({ inputs: input, outputs: output, name });
}

export function buildAnimeganDiscriminator(o: AnimeganOptions, name = 'D'): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 3], name: `${name}_input` });
  const dconv = (x: tf.SymbolicTensor, filters: number, strides: number, layerName: string) => {
    const padded = apply(tf.layers.zeroPadding2d({ padding: 1, name: `${layerName}_pad` }), x);
    return apply(tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'valid', useBias: false, kernelInitializer: 'heNormal', name: layerName }), padded);
  };
  const lrelu = (x: tf.SymbolicTensor, layerName: string) => apply(tf.layers.leakyReLU({ alpha: 0.2, name: layerName }), x);
  let channels = Math.ceil(o.ndf / 2);
  let x = lrelu(dconv(input, channels, 1, `${name}_conv0`), `${name}_lrelu0`);
  for (let i = 1; i < o.nLayersD; i++) {
    x = lrelu(dconv(x, channels * 2, 2, `${name}_down${i}`), `${name}_down${i}_lrelu`);
    x = apply(norm(o.norm, `${name}_conv${i}_norm`), dconv(x, channels * 4, 1, `${name}_conv${i}`));
    x = lrelu(x, `${name}_conv${i}_lrelu`);
    channels *= 2;
  }
  x = apply(norm(o.norm, `${name}_last_norm`), dconv(x, channels * 2, 1, `${name}_last`));
  x = lrelu(x, `${name}_last_lrelu`);
  const output = dconv(x, 1, 1, `${name}_logits`);
  return tf.model({ inputs: input, outputs: output, name });
}

/** The feature map φ(x) at `contentLayer` of the active feature network (the other taps are dropped). */
function contentFeatures(images: tf.Tensor4D, o: AnimeganOptions): tf.Tensor4D {
  const net = activeFeatureNetwork();
  if (o.contentLayer >= net.layers.length) {
    throw new Error(`animegan: contentLayer ${o.contentLayer} is past the ${net.layers.length} layers of ${net.name}`);
  }
  return tf.tidy(() => net.extract(images)[o.contentLayer]!);
}

/**
 * The edge-smoothed anime images of the batch, or none when `edgePromoting` is off; missing
 * ones fail every step, the init phase's too, so a run without them stops at its first step.
 */
function edgeSmoothed(batch: Batch, o: AnimeganOptions): tf.Tensor4D | undefined {
  if (!o.edgePromoting) return undefined;
  if (!batch.bEdgeSmoothed) throw new MissingEdgeSmoothedError();
  return batch.bEdgeSmoothed;
}

/** An image as D sees it: itself, or its grayscale when `discriminatorSees` is 'grayscale'. */
const shownToD = (images: tf.Tensor4D, o: AnimeganOptions): tf.Tensor4D => (o.discriminatorSees === 'grayscale' ? grayscale(images) : images);

/** LSGAN against a constant target, as v2's `generator_loss` / `discriminator_loss` (mean squared distance). */
const lsgan = (prediction: tf.Tensor, real: boolean) => ganLoss('lsgan', prediction, real);

export const animegan = registerArchitecture<AnimeganOptions>({
  name: 'animegan',
  paper:
    'Chen, Liu & Chen 2019, AnimeGAN: A Novel Lightweight GAN for Photo Animation (ISICA); AnimeGANv2 release 2020 (TachibanaYoshino/AnimeGANv2); Wang & Yu 2020, White-box Cartoonization (CVPR)',
  data: 'unpaired',
  options: animeganOptions,
  // The shared architecture tests build batches without edge-smoothed images; test/gan/animegan.test.ts covers that term.
  testOptions: { imageSize: 32, ngf: 4, ndf: 8, blocks: 2, initSteps: 0, edgePromoting: false },
  served: 'G',
  inputSize: (o) => o.imageSize,
  // Two stride-2 downsamplings; every layer takes any size, so the photo's own size padded to a multiple of 4.
  servedSizeMultiple: () => 4,
  initSteps: (o) => o.initSteps,
  learningRateScales: (o, phase) => (phase === 'init' ? { generator: 1, discriminator: 1 } : { generator: o.gLrScale, discriminator: o.dLrScale }),
  build(o) {
    // The feature network's fixed weights are created now, not inside the first step's tidy.
    activeFeatureNetwork();
    return { generators: { G: buildAnimeganGenerator(o) }, discriminators: { D: buildAnimeganDiscriminator(o) } };
  },
  generatorObjective(nets, batch: Batch, o, context?: TrainingContext): Objective {
    edgeSmoothed(batch, o);
    const { a, b } = batch;
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const fakeFeatures = contentFeatures(fake, o);
    const content = l1Loss(fakeFeatures, contentFeatures(a, o));
    if (context?.phase === 'init') {
      if (o.initColorWeight === 0) return { total: content.mul(o.conWeight) as tf.Scalar, terms: { content } };
      const colour = yuvColourLoss(fake, a);
      return { total: tf.addN([content.mul(o.conWeight), colour.mul(o.initColorWeight)]) as tf.Scalar, terms: { content, colour } };
    }
    const adversarial = lsgan(trainingForward(network(nets, 'discriminators', 'D'), shownToD(fake, o)), true);
    const style = gramStyleLoss(fakeFeatures, contentFeatures(grayscale(b), o));
    const colour = yuvColourLoss(fake, a);
    const tv = totalVariationLoss(fake);
    const total = tf.addN([adversarial.mul(o.gAdvWeight), content.mul(o.conWeight), style.mul(o.styWeight), colour.mul(o.colorWeight), tv.mul(o.tvWeight)]) as tf.Scalar;
    return { total, terms: { adversarial, content, style, colour, tv } };
  },
  discriminatorObjective(nets, batch: Batch, o): Objective {
    const { a, b } = batch;
    const smoothed = edgeSmoothed(batch, o);
    const D = network(nets, 'discriminators', 'D');
    const fake = trainingForward(network(nets, 'generators', 'G'), a);
    const terms: Record<string, tf.Scalar> = {
      real: lsgan(trainingForward(D, shownToD(b, o)), true),
      fake: lsgan(trainingForward(D, shownToD(fake, o)), false),
    };
    const weighted = [terms.real!.mul(o.dRealWeight), terms.fake!.mul(o.dFakeWeight)];
    if (o.discriminatorSees === 'colour') {
      terms.gray = lsgan(trainingForward(D, grayscale(b)), false);
      weighted.push(terms.gray.mul(o.dGrayWeight));
    }
    if (smoothed) {
      terms.smooth = lsgan(trainingForward(D, grayscale(smoothed)), false);
      weighted.push(terms.smooth.mul(o.dSmoothWeight));
    }
    return { total: tf.addN(weighted).mul(o.dAdvWeight) as tf.Scalar, terms };
  },
});
