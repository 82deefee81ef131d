import * as tf from '@tensorflow/tfjs';

export interface ReflectionPadArgs {
  padding: number;
}

/** Reflection padding of H and W (PyTorch `nn.ReflectionPad2d`), NHWC. */
export class ReflectionPad extends tf.layers.Layer {
  static className = 'ReflectionPad';
  private readonly padding: number;

  constructor(args: ReflectionPadArgs & { name?: string }) {
    super(args);
    this.padding = args.padding;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const grow = (d: number | null | undefined) => (d == null ? null : d + 2 * this.padding);
    return [s[0] ?? null, grow(s[1]), grow(s[2]), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const p = this.padding;
    return tf.mirrorPad(
      x,
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'reflect',
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}
tf.serialization.registerClass(ReflectionPad);
