import * as tf from '@tensorflow/tfjs';

/**
 * Returns its first input unchanged; the other inputs are auxiliary outputs (deep-supervision
 * heads such as PMSGAN's per-scale images) that the served model does not return. A
 * functional model only contains the layers between its inputs and outputs, so without this
 * such heads would fall out of a single-output generator: they would not be saved, loaded or
 * trained. With it they stay in the graph, and a loss reads them by layer name
 * (`model.getLayer(name).output` in a model view sharing the layers). They receive no
 * gradient through this layer.
 */
export class AuxiliaryOutputs extends tf.layers.Layer {
  static className = 'AuxiliaryOutputs';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const first = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return first;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
  }
}
tf.serialization.registerClass(AuxiliaryOutputs);
