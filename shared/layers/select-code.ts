import * as tf from '@tensorflow/tfjs';

/**
 * One code of a set, `[N, M, D]` → `[N, D]` at `index` (tfjs has no Cropping1D or Lambda
 * layer): how a style generator hands code m to its m-th layer.
 */
export class SelectCode extends tf.layers.Layer {
  static className = 'SelectCode';
  private readonly index: number;

  constructor(args: { index: number; name?: string; trainable?: boolean }) {
    super(args);
    this.index = args.index;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const codes = s[1];
    if (typeof codes === 'number' && this.index >= codes) throw new Error(`SelectCode: index ${this.index} of ${codes} codes`);
    return [s[0] ?? null, s[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
    return tf.tidy(() => tf.slice(x, [0, this.index, 0], [-1, 1, -1]).squeeze([1]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), index: this.index };
  }
}
tf.serialization.registerClass(SelectCode);
