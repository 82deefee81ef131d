import type { Networks } from './architecture.js';

/**
 * Frees every weight of a built architecture once. Networks may share layers (a served
 * model composed of an encoder and a synthesis network that are also listed on their own),
 * and `LayersModel.dispose()` on the second model holding a shared layer throws "already
 * disposed", so this disposes the distinct weight variables instead.
 */
export function disposeNetworks(nets: Networks): void {
  const models = [...Object.values(nets.generators), ...Object.values(nets.discriminators)];
  const weights = new Map(models.flatMap((model) => model.weights.map((w) => [w.id, w] as const)));
  for (const weight of weights.values()) weight.dispose();
}
