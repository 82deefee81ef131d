import * as tf from '@tensorflow/tfjs';

type DisposeResult = ReturnType<tf.LayersModel['dispose']>;

/**
 * A functional model whose graph may call one layer several times (OME unrolls its encoder
 * and generator N times with the same weights), and whose `dispose` frees those layers.
 *
 * tfjs counts a reference per call of a layer (each inbound node) but a model's `dispose`
 * releases one per layer, so a layer called k times inside one model keeps k − 1 references
 * and its weights are never freed — also for a model loaded from disk. This class releases
 * one reference per node of the layer in this model. Serialised under its own class name,
 * so `tf.loadLayersModel` rebuilds it (the import of this module registers it).
 */
export class SharedLayerModel extends tf.LayersModel {
  static override className = 'SharedLayerModel';

  override dispose(): DisposeResult {
    const result = super.dispose();
    if (result.refCountAfterDispose !== 0) return result;
    for (const layer of this.layers) {
      const calls = layer.inboundNodes.filter((_, i) => this.containerNodes.has(`${layer.name}_ib-${i}`)).length;
      for (let extra = 1; extra < calls; extra++) result.numDisposedVariables += layer.dispose().numDisposedVariables;
    }
    return result;
  }
}
tf.serialization.registerClass(SharedLayerModel);
