import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readModelDirectory } from '../../shared/models/read-model-directory.js';
import { z } from 'zod';

/**
 * A frozen image network whose intermediate activations serve as "perceptual" features
 * (perceptual losses, LPIPS-style distances). `extract` takes NHWC images in the GAN range
 * [-1, 1] and returns one activation per entry of `layers`, in that order; it applies its own
 * input preprocessing. The weights never train. `name` says which network it is, so that
 * training reports can record what the perceptual terms were measured with.
 *
 * Callers own the returned tensors (use it inside `tf.tidy`); gradients flow through
 * `extract` to its input.
 */
export interface FeatureNetwork {
  name: string;
  layers: string[];
  extract(x: tf.Tensor4D): tf.Tensor4D[];
}

/**
 * How a converted pretrained network expects its input:
 * - `caffe`: Keras `applications.vgg19` / `vgg16` (`preprocess_input`): BGR, 0..255, minus the
 *   ImageNet channel means [103.939, 116.779, 123.68] (B, G, R);
 * - `torch`: torchvision models: RGB, 0..1, standardised by the ImageNet mean
 *   [0.485, 0.456, 0.406] and std [0.229, 0.224, 0.225].
 */
export type Preprocessing = 'caffe' | 'torch';

/**
 * Layers of Keras VGG-19 (`tf.keras.applications.VGG19(include_top=False)`) used by the
 * perceptual losses of Johnson et al. 2016 / pix2pixHD / ESRGAN-style objectives: the
 * first conv of each block. Keras convs carry their ReLU, so these are relu{1..5}_1.
 */
export const VGG19_LAYERS = ['block1_conv1', 'block2_conv1', 'block3_conv1', 'block4_conv1', 'block5_conv1'];

export const loadOptionsSchema = z.object({
  /** Names of the layers whose outputs `extract` returns. */
  layers: z.array(z.string().min(1)).min(1).default(VGG19_LAYERS),
  preprocessing: z.enum(['caffe', 'torch']).default('caffe'),
  /** Name recorded in reports; defaults to `<model dir basename>`. */
  name: z.string().min(1).optional(),
});
export type LoadFeatureNetworkOptions = z.input<typeof loadOptionsSchema>;

/**
 * Loads a pretrained network converted to a tfjs layers model (e.g.
 * `tensorflowjs_converter --input_format=keras vgg19.h5 <dir>`, or an AlexNet converted the
 * same way) from `<dir>/model.json` and its weight shards, and exposes the named layers.
 * The spatial input size is free: the conv/pool layers are applied to whatever size arrives.
 */
export async function loadFeatureNetwork(dir: string, options: LoadFeatureNetworkOptions = {}): Promise<FeatureNetwork & { dispose(): void }> {
  const { layers, preprocessing, name } = loadOptionsSchema.parse(options);
  const model = await tf.loadLayersModel(tf.io.fromMemory((await readModelDirectory(dir)).artifacts));
  const known = new Set(model.layers.map((layer) => layer.name));
  const missing = layers.filter((layer) => !known.has(layer));
  if (missing.length > 0) {
    model.dispose();
    throw new Error(`feature network ${dir} has no layer(s) ${missing.join(', ')}; it has ${[...known].join(', ')}`);
  }
  const tapped = tf.model({ inputs: model.inputs, outputs: layers.map((layer) => model.getLayer(layer).output as tf.SymbolicTensor) });
  tapped.trainable = false;
  return {
    name: name ?? `${path.basename(path.resolve(dir))} (${preprocessing})`,
    layers,
    extract: (x) =>
      tf.tidy(() => {
        const outputs = tapped.apply(preprocess(x, preprocessing), { training: false });
        return (Array.isArray(outputs) ? outputs : [outputs]) as tf.Tensor4D[];
      }),
    dispose: () => model.dispose(),
  };
}

function preprocess(x: tf.Tensor4D, preprocessing: Preprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    const unit = x.add(1).div(2);
    if (preprocessing === 'torch') {
      return unit.sub(tf.tensor1d([0.485, 0.456, 0.406])).div(tf.tensor1d([0.229, 0.224, 0.225])) as tf.Tensor4D;
    }
    const bgr = tf.reverse(unit.mul(255), 3);
    return bgr.sub(tf.tensor1d([103.939, 116.779, 123.68])) as tf.Tensor4D;
  });
}

export const randomOptionsSchema = z.object({
  /** Seed of the weights: the same seed gives the same network on every backend. */
  seed: z.number().int().default(1234),
  /** Output channels of the stages; stage k works at 1/2^(k-1) of the input resolution. */
  channels: z.array(z.number().int().positive()).min(1).default([32, 64, 128, 128]),
});
export type RandomFeatureNetworkOptions = z.input<typeof randomOptionsSchema>;

/**
 * The substitute used when no pretrained weights are given: a conv pyramid with fixed,
 * seeded random weights, needing no download. Stage k is one 3×3 conv + ReLU (tapped as
 * `stage<k>`), and 2×2 average pooling (rounding odd sizes up) leads into the next stage,
 * so the stages see growing receptive fields at 1, 1/2, 1/4, … resolution like VGG's
 * blocks. One conv per stage (VGG has two to four) keeps it cheap enough to run at every
 * scale of every training step.
 * Weights are He-normal (std √(2/fan_in)), so activations keep their scale through the
 * ReLUs, with zero biases.
 *
 * Random-weight conv features are a known reasonable perceptual proxy: He, Wang & Hopcroft,
 * "A Powerful Generative Model Using Random Weights for the Deep Image Representation"
 * (NeurIPS 2016) reconstruct and stylise images from a random-weight VGG's features, and
 * Ustyuzhaninov et al., "What does it take to generate natural textures?" (ICLR 2017) get
 * textures from random filters. They are weaker than trained features (Zhang et al., LPIPS,
 * CVPR 2018), so reports must record which network was used — hence `name`.
 *
 * The weights are plain tensors (not variables), so no optimizer ever updates them; they
 * live as long as the network (`dispose` frees them).
 */
export function randomFeatureNetwork(options: RandomFeatureNetworkOptions = {}): FeatureNetwork & { dispose(): void } {
  const { seed, channels } = randomOptionsSchema.parse(options);
  const kernels = channels.map((outChannels, stage) => {
    const inChannels = stage === 0 ? 3 : channels[stage - 1]!;
    return tf.randomNormal([3, 3, inChannels, outChannels], 0, Math.sqrt(2 / (9 * inChannels)), 'float32', seed + stage) as tf.Tensor4D;
  });
  return {
    name: `random-conv-pyramid(seed=${seed}, channels=${channels.join('-')})`,
    layers: channels.map((_, stage) => `stage${stage + 1}`),
    extract: (x) =>
      tf.tidy(() => {
        const features: tf.Tensor4D[] = [];
        let h = x;
        for (const [stage, kernel] of kernels.entries()) {
          // 'same' keeps at least one pixel (a 'valid' pool of a 1-pixel map is empty); on
          // even sizes it equals 'valid', and padding is left out of the average.
          if (stage > 0) h = tf.avgPool(h, 2, 2, 'same');
          h = tf.relu(tf.conv2d(h, kernel, 1, 'same'));
          features.push(h);
        }
        return features;
      }),
    dispose: () => kernels.forEach((kernel) => kernel.dispose()),
  };
}

let active: FeatureNetwork | undefined;

/**
 * The feature network the perceptual losses use. Objectives are synchronous, so a
 * pretrained network is loaded up front (`useFeatureNetwork(await loadFeatureNetwork(dir))`,
 * as the trainer does for FEATURE_WEIGHTS_DIR, trainer/feature-networks.ts); otherwise this
 * is the seeded random substitute, created on first use and kept for the life of the process.
 */
export function activeFeatureNetwork(): FeatureNetwork {
  active ??= randomFeatureNetwork();
  return active;
}

/**
 * Makes `net` the network of `activeFeatureNetwork()` (undefined: the random substitute
 * again) and returns the one it replaces, for restoring it; neither is disposed.
 */
export function useFeatureNetwork(net: FeatureNetwork | undefined): FeatureNetwork | undefined {
  const previous = active;
  active = net;
  return previous;
}
