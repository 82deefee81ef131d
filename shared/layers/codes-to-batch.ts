import * as tf from '@tensorflow/tfjs';

/**
 * Folds a set of codes into the batch axis, `[N, M, D]` → `[N·M, D]` (sample-major: the M
 * codes of sample 0 first), so that one pass of a generator's first part maps every code of
 * every sample. `DynamicFusion` undoes the folding when it fuses the M feature maps.
 */
export class CodesToBatch extends tf.layers.Layer {
  static className = 'CodesToBatch';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [null, s[2] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.reshape(x, [-1, x.shape[2]!]);
  }
}
tf.serialization.registerClass(CodesToBatch);
