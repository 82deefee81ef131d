import type { ModelMeta } from '../shared/models/model-meta.js';

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

/**
 * A candidate replaces the current model only when it is better on the style's primary
 * metric, both measured on the same held-out split. With no current model it is promoted.
 */
export function decidePromotion(candidate: Record<string, number>, current: Record<string, number> | undefined, primary: NonNullable<ModelMeta['primaryMetric']>): PromotionDecision {
  const c = candidate[primary.name];
  if (c === undefined || !Number.isFinite(c)) return { promote: false, reason: `the candidate has no ${primary.name} score` };
  if (!current) return { promote: true, reason: 'there is no current model' };
  const cur = current[primary.name];
  if (cur === undefined || !Number.isFinite(cur)) return { promote: true, reason: `the current model has no ${primary.name} score` };
  const better = primary.higherIsBetter ? c > cur : c < cur;
  const cmp = `${primary.name} ${c.toFixed(4)} vs current ${cur.toFixed(4)}`;
  return better ? { promote: true, reason: `better: ${cmp}` } : { promote: false, reason: `not better: ${cmp}; kept as a candidate` };
}
