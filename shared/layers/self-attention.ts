import * as tf from '@tensorflow/tfjs';
import type { CountsFlops } from './counts-flops.js';

export interface SelfAttentionArgs {
  /** Query/key width is channels / reduction (SAGAN: C̄ = C/8). */
  reduction?: number;
  /** Std of the normal initialiser of the 1×1 projections (pix2pix/CycleGAN init: 0.02). */
  initStddev?: number;
}

/**
 * SAGAN self-attention (Zhang et al. 2019, "Self-Attention Generative Adversarial
 * Networks", §3), NHWC. With 1×1 projections f (query), g (key) to C/8 channels and h
 * (value) to C channels, over the N = H·W positions:
 *   β_{j,i} = softmax_i(f(x_j)ᵀ g(x_i)),  o_j = Σ_i β_{j,i} h(x_i),  y = γ·o + x,
 * with the learned scalar γ initialised to 0 so the layer starts as the identity and
 * learns to use non-local evidence gradually.
 *
 * The value is a single C→C projection, as in the widely used PyTorch reproduction of
 * SAGAN; the paper's extra output projection W_v (C/8→C after a C/8 value) only
 * restricts that linear map to low rank.
 * A 1×1 convolution is a matrix product over channels, which is how it is computed here.
 */
export class SelfAttention extends tf.layers.Layer implements CountsFlops {
  static className = 'SelfAttention';
  private readonly reduction: number;
  private readonly initStddev: number;
  private queryKernel?: tf.LayerVariable;
  private queryBias?: tf.LayerVariable;
  private keyKernel?: tf.LayerVariable;
  private keyBias?: tf.LayerVariable;
  private valueKernel?: tf.LayerVariable;
  private valueBias?: tf.LayerVariable;
  private gamma?: tf.LayerVariable;

  constructor(args: SelfAttentionArgs & { name?: string; trainable?: boolean } = {}) {
    super(args);
    this.reduction = args.reduction ?? 8;
    this.initStddev = args.initStddev ?? 0.02;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[3];
    if (typeof channels !== 'number') throw new Error(`SelfAttention needs a known channel count, got ${JSON.stringify(shape)}`);
    const projected = this.projectedChannels(channels);
    const kernel = () => tf.initializers.randomNormal({ mean: 0, stddev: this.initStddev });
    this.queryKernel = this.addWeight('query_kernel', [channels, projected], 'float32', kernel());
    this.queryBias = this.addWeight('query_bias', [projected], 'float32', tf.initializers.zeros());
    this.keyKernel = this.addWeight('key_kernel', [channels, projected], 'float32', kernel());
    this.keyBias = this.addWeight('key_bias', [projected], 'float32', tf.initializers.zeros());
    this.valueKernel = this.addWeight('value_kernel', [channels, channels], 'float32', kernel());
    this.valueBias = this.addWeight('value_bias', [channels], 'float32', tf.initializers.zeros());
    this.gamma = this.addWeight('gamma', [1], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const { queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, gamma } = this;
    if (!queryKernel || !queryBias || !keyKernel || !keyBias || !valueKernel || !valueBias || !gamma) {
      throw new Error('SelfAttention called before build');
    }
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [n, h, w, c] = x.shape;
      const pixels = x.reshape([n * h * w, c]) as tf.Tensor2D;
      const project = (kernel: tf.LayerVariable, bias: tf.LayerVariable) =>
        tf
          .matMul(pixels, kernel.read() as tf.Tensor2D)
          .add(bias.read())
          .reshape([n, h * w, -1]) as tf.Tensor3D;
      const query = project(queryKernel, queryBias);
      const key = project(keyKernel, keyBias);
      const value = project(valueKernel, valueBias);
      const attention = tf.softmax(tf.matMul(query, key, false, true)); // [n, positions j, positions i]
      const attended = tf.matMul(attention, value).reshape([n, h, w, c]);
      return x.add(attended.mul(gamma.read()));
    });
  }

  /** The projections, 2·P·C·(2C̄ + C), and the two P×P attention products, 2·P²·(C̄ + C). */
  flops(inputShapes: tf.Shape[]): number {
    const [, h, w, c] = inputShapes[0]!;
    if (h == null || w == null || c == null) throw new Error('SelfAttention FLOPs need a fixed input size');
    const positions = h * w;
    const projected = this.projectedChannels(c);
    return 2 * positions * c * (2 * projected + c) + 2 * positions * positions * (projected + c);
  }

  private projectedChannels(channels: number): number {
    return Math.max(1, Math.floor(channels / this.reduction));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), reduction: this.reduction, initStddev: this.initStddev };
  }
}
tf.serialization.registerClass(SelfAttention);
