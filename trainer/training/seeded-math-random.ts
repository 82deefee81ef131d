/**
 * tfjs weight initialisers and dropout draw their seeds from Math.random when none is given.
 * A training process replaces it with a seeded generator (mulberry32) so that the same seed
 * gives the same initial weights, dropout masks and therefore the same run.
 */
export function seedMathRandom(seed: number): void {
  let state = seed >>> 0 || 0x9e3779b9;
  Math.random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
