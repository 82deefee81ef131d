import type * as tf from '@tensorflow/tfjs';

/**
 * Number of trainable parameters, what PyTorch's `sum(p.numel() for p in net.parameters())`
 * reports. tfjs `countParams()` also counts non-trainable weights such as BatchNorm's
 * moving mean and variance (PyTorch buffers), so it is larger for batch-norm networks.
 * Given several models, a weight they share (a layer in two of them) counts once.
 */
export function trainableParamCount(models: tf.LayersModel | tf.LayersModel[]): number {
  const weights = new Map((Array.isArray(models) ? models : [models]).flatMap((m) => m.trainableWeights.map((w) => [w.id, w] as const)));
  let count = 0;
  for (const w of weights.values()) count += w.shape.reduce((n: number, d) => n * (d ?? 1), 1);
  return count;
}
