import * as tf from '@tensorflow/tfjs';

export interface AtrousConvArgs {
  filters: number;
  /** Odd kernel size (the 'same' padding below assumes a centred kernel). */
  kernelSize: number;
  /** Dilation rate r ≥ 1: the kernel taps are r pixels apart. */
  rate: number;
  useBias?: boolean;
  /** Standard deviation of the N(0, σ) kernel initialisation (0.02 as the pix2pix family). */
  kernelStddev?: number;
}

/**
 * Atrous (dilated) convolution with 'same' zero padding and stride 1 (DeepLab's ASPP
 * branches, Chen et al. 2017), trainable on every backend.
 *
 * tfjs computes dilated convs forward but its Conv2D gradient rejects dilation > 1, so this
 * layer uses the space-to-batch identity instead (as TensorFlow's own `atrous_conv2d`):
 * output pixels whose coordinates are congruent mod r only read input pixels congruent to
 * them mod r, so splitting the input into its r×r phase images (`spaceToBatchND`), running
 * an ordinary 'same' conv on each and interleaving the results (`batchToSpaceND`) is the
 * dilated conv. The input is zero-padded bottom/right up to a multiple of r first; those
 * zeros are exactly the 'same' padding the dilated conv would read, and are cropped again.
 */
export class AtrousConv extends tf.layers.Layer {
  static className = 'AtrousConv';
  private readonly filters: number;
  private readonly kernelSize: number;
  private readonly rate: number;
  private readonly useBias: boolean;
  private readonly kernelStddev: number;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: AtrousConvArgs & { name?: string; trainable?: boolean }) {
    super(args);
    if (!Number.isInteger(args.rate) || args.rate < 1) throw new Error(`AtrousConv: rate must be a positive integer, got ${args.rate}`);
    if (!Number.isInteger(args.kernelSize) || args.kernelSize % 2 !== 1) throw new Error(`AtrousConv: kernelSize must be odd, got ${args.kernelSize}`);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.rate = args.rate;
    this.useBias = args.useBias ?? true;
    this.kernelStddev = args.kernelStddev ?? 0.02;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[3];
    if (typeof channels !== 'number') throw new Error(`AtrousConv needs a known channel count, got ${JSON.stringify(shape)}`);
    const k = this.kernelSize;
    const init = tf.initializers.randomNormal({ mean: 0, stddev: this.kernelStddev });
    this.kernel = this.addWeight('kernel', [k, k, channels, this.filters], 'float32', init);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, shape[1] ?? null, shape[2] ?? null, this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const { kernel } = this;
    if (!kernel) throw new Error('AtrousConv called before build');
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const w = kernel.read() as tf.Tensor4D;
      const r = this.rate;
      let y: tf.Tensor4D;
      if (r === 1) {
        y = tf.conv2d(x, w, 1, 'same');
      } else {
        const [, h, width] = x.shape;
        const padding = [
          [0, (r - (h % r)) % r],
          [0, (r - (width % r)) % r],
        ];
        const phases = tf.spaceToBatchND(x, [r, r], padding) as tf.Tensor4D;
        y = tf.batchToSpaceND(tf.conv2d(phases, w, 1, 'same'), [r, r], padding) as tf.Tensor4D;
      }
      return this.bias ? y.add(this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      rate: this.rate,
      useBias: this.useBias,
      kernelStddev: this.kernelStddev,
    };
  }
}
tf.serialization.registerClass(AtrousConv);
