import * as tf from '@tensorflow/tfjs';

export interface BatchConstantArgs {
  /** Shape of the constant, without the batch axis. */
  shape: number[];
  /**
   * Whether the optimizer trains the constant. StyleGAN's 4×4 input is learned; OME's
   * average codes are not (they are set from the pretrained generator, never by gradients).
   */
  learned: boolean;
  /** Initial value: standard normal (StyleGAN2's `torch.randn` input) or zeros. */
  initializer: 'randomNormal' | 'zeros';
}

/**
 * A constant tensor repeated once per sample of the input batch: `[N, ...]` → `[N, ...shape]`.
 * The input only supplies the batch size. Used for StyleGAN's learned 4×4 input and for OME's
 * average latent codes {z_m,0} (Guo et al. 2023, §3.1), so both live in the saved model.
 */
export class BatchConstant extends tf.layers.Layer {
  static className = 'BatchConstant';
  private readonly shape: number[];
  private readonly learned: boolean;
  private readonly initializer: 'randomNormal' | 'zeros';
  private value?: tf.LayerVariable;

  constructor(args: BatchConstantArgs & { name?: string; trainable?: boolean }) {
    super(args);
    this.shape = [...args.shape];
    this.learned = args.learned;
    this.initializer = args.initializer;
  }

  override build(): void {
    const initializer = this.initializer === 'zeros' ? tf.initializers.zeros() : tf.initializers.randomNormal({ mean: 0, stddev: 1 });
    this.value = this.addWeight('value', this.shape, 'float32', initializer, undefined, this.learned);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0] ?? null, ...this.shape];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const { value } = this;
    if (!value) throw new Error('BatchConstant called before build');
    return tf.tidy(() => {
      const batch = x.shape[0];
      const single = value.read().expandDims(0);
      return tf.tile(single, [batch, ...this.shape.map(() => 1)]);
    });
  }

  /** The constant itself, without the batch axis. */
  read(): tf.Tensor {
    if (!this.value) throw new Error('BatchConstant read before build');
    return this.value.read();
  }

  /** Replaces the constant (e.g. with a newly estimated average code). */
  assign(value: tf.Tensor): void {
    if (!this.value) throw new Error('BatchConstant assigned before build');
    this.value.write(value);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), shape: this.shape, learned: this.learned, initializer: this.initializer };
  }
}
tf.serialization.registerClass(BatchConstant);
