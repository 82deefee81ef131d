import * as tf from '@tensorflow/tfjs';

/**
 * The layers of one sub-network, created on first use and reused by name afterwards. OME
 * applies its encoder and generator N times in one graph with the same weights; writing
 * each sub-network as a function of a `SharedLayers` lets the same wiring code build it
 * once and re-apply it, and lets the parts of `build` (the served model, the encoder and
 * the synthesis network on their own) share their weights.
 */
export class SharedLayers {
  private readonly layers = new Map<string, tf.layers.Layer>();

  constructor(readonly prefix: string) {}

  /** Applies the layer `name`, creating it with `create(fullName)` the first time. */
  apply(name: string, create: (fullName: string) => tf.layers.Layer, inputs: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
    const fullName = `${this.prefix}_${name}`;
    let layer = this.layers.get(fullName);
    if (!layer) {
      layer = create(fullName);
      this.layers.set(fullName, layer);
    }
    return layer.apply(inputs) as tf.SymbolicTensor;
  }

  /** Sets whether the optimizer trains these layers (frozen generator vs. trained encoder). */
  setTrainable(trainable: boolean): void {
    for (const layer of this.layers.values()) layer.trainable = trainable;
  }
}
