import type { Networks } from '../architecture.js';

/**
 * Copies every weight of `source` into the same-named layers of `target`'s same-named
 * networks: how OME starts from the generator that `ome-pretrain` trained. Build both with
 * the same options (the layer names and shapes then match); the served model alone carries
 * the synthesis network and the average codes, `mapping` and `D_uncond` the rest.
 * Returns how many layers were copied.
 */
export function adoptPretrainedWeights(target: Networks, source: Networks): number {
  let copied = 0;
  for (const kind of ['generators', 'discriminators'] as const) {
    for (const [name, from] of Object.entries(source[kind])) {
      const to = target[kind][name];
      if (!to) continue;
      for (const layer of from.layers) {
        const weights = layer.getWeights();
        if (weights.length === 0) continue;
        to.getLayer(layer.name).setWeights(weights);
        copied++;
      }
    }
  }
  return copied;
}
