import * as tf from '@tensorflow/tfjs';
import { blurUpsample2x } from './blur-upsample.js';
import { kaimingNormal } from './kaiming-normal.js';

export interface ModulatedConvArgs {
  filters: number;
  kernelSize: number;
  /** Normalise each output channel by 1/sqrt(Σ(w·s)² + ε) (StyleGAN2 §2.2); false for ToRGB. */
  demodulate: boolean;
  /** 2× upsample before the conv with StyleGAN2's [1,3,3,1] anti-aliasing filter. */
  upsample?: boolean;
  /** Per-output-channel bias added after (de)modulation (StyleGAN2 adds it before the activation). */
  useBias?: boolean;
  /** ε of the demodulation (StyleGAN2: 1e-8). */
  epsilon?: number;
}

/**
 * StyleGAN2 modulated (and optionally demodulated) convolution (Karras et al. 2020, §2.2).
 * Inputs `[x, code]`: x is NHWC [N,H,W,Cin], code is [N,D]. A learned affine layer maps the
 * code to a per-sample style s ∈ R^Cin (bias initialised to 1, as StyleGAN2), and the conv
 * uses the per-sample weight w'_{kio} = s_i·w_{kio}, demodulated to
 * w''_{kio} = w'_{kio} / sqrt(Σ_{k,i} w'_{kio}² + ε).
 *
 * Computed in StyleGAN2's non-fused form (its `fused_modconv=False` path), which is
 * mathematically identical for per-sample modulation and needs no grouped conv (tfjs has
 * none): scale the input activations by s, convolve with the shared w, then scale each
 * output channel by d_{no} = 1/sqrt(Σ_i s_{ni}²·Σ_k w_{kio}² + ε).
 *
 * Upsampling is StyleGAN2's transposed conv + [1,3,3,1] blur, reordered as blur-upsample then
 * a 'same' conv: both are linear and shift-invariant, so they agree except at the border.
 *
 * Weights use Kaiming-normal (fan-in) initialisation; there is no equalised learning rate.
 * No activation inside: follow it with LeakyReLU(0.2) where the network wants one.
 */
export class ModulatedConv extends tf.layers.Layer {
  static className = 'ModulatedConv';
  private readonly filters: number;
  private readonly kernelSize: number;
  private readonly demodulate: boolean;
  private readonly upsample: boolean;
  private readonly useBias: boolean;
  private readonly epsilon: number;
  private styleKernel?: tf.LayerVariable;
  private styleBias?: tf.LayerVariable;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: ModulatedConvArgs & { name?: string; trainable?: boolean }) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.demodulate = args.demodulate;
    this.upsample = args.upsample ?? false;
    this.useBias = args.useBias ?? true;
    this.epsilon = args.epsilon ?? 1e-8;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape, codeShape] = splitShapes(inputShape);
    const channels = xShape[3];
    const codeSize = codeShape[1];
    if (typeof channels !== 'number' || typeof codeSize !== 'number') {
      throw new Error(`ModulatedConv needs known channel and code sizes, got ${JSON.stringify(inputShape)}`);
    }
    this.styleKernel = this.addWeight('style_kernel', [codeSize, channels], 'float32', kaimingNormal(codeSize));
    this.styleBias = this.addWeight('style_bias', [channels], 'float32', tf.initializers.ones());
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, channels, this.filters], 'float32', kaimingNormal(k * k * channels));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [xShape] = splitShapes(inputShape);
    const grow = (d: number | null | undefined) => (d == null ? null : this.upsample ? 2 * d : d);
    return [xShape[0] ?? null, grow(xShape[1]), grow(xShape[2]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new Error('ModulatedConv expects inputs [x, code]');
    const { styleKernel, styleBias, kernel } = this;
    if (!styleKernel || !styleBias || !kernel) throw new Error('ModulatedConv called before build');
    return tf.tidy(() => {
      const x = inputs[0] as tf.Tensor4D;
      const code = inputs[1] as tf.Tensor2D;
      const channels = x.shape[3];
      const style = tf.matMul(code, styleKernel.read() as tf.Tensor2D).add(styleBias.read()) as tf.Tensor2D;
      let h = x.mul(style.reshape([-1, 1, 1, channels])) as tf.Tensor4D;
      if (this.upsample) h = blurUpsample2x(h);
      const w = kernel.read() as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(h, w, 1, 'same');
      if (this.demodulate) {
        const weightEnergy = tf.sum(tf.square(w), [0, 1]) as tf.Tensor2D;
        const demod = tf.rsqrt(tf.matMul(tf.square(style), weightEnergy).add(this.epsilon));
        y = y.mul(demod.reshape([-1, 1, 1, this.filters]));
      }
      if (this.bias) y = y.add(this.bias.read());
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      demodulate: this.demodulate,
      upsample: this.upsample,
      useBias: this.useBias,
      epsilon: this.epsilon,
    };
  }
}
tf.serialization.registerClass(ModulatedConv);

function splitShapes(inputShape: tf.Shape | tf.Shape[]): [tf.Shape, tf.Shape] {
  const shapes = inputShape as tf.Shape[];
  const [x, code] = shapes;
  if (!Array.isArray(x) || !Array.isArray(code) || shapes.length !== 2) {
    throw new Error(`ModulatedConv expects inputs [x, code], got shape ${JSON.stringify(inputShape)}`);
  }
  return [x, code];
}

/** Builds a ModulatedConv and applies it to `[x, code]` in a functional model. */
export function modulatedConv(x: tf.SymbolicTensor, code: tf.SymbolicTensor, args: ModulatedConvArgs & { name?: string }): tf.SymbolicTensor {
  return new ModulatedConv(args).apply([x, code]) as tf.SymbolicTensor;
}
