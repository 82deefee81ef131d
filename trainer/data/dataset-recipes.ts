import { knownStyles, type KnownStyle } from '../../shared/styles.js';

/**
 * How `npm run data:build` (build-demo-data.ts) makes a style's dataset:
 * - `paired-target`: photos and rendered scenes (A) with a target that a classical algorithm
 *   draws from each (B: targets/<style>.ts), in the paired format;
 * - `anime-art`: photos against the art of installed Ren'Py games, unaligned, with
 *   edge-smoothed copies (build-anime-data.ts).
 */
export type DatasetRecipe = 'paired-target' | 'anime-art';

/** Every style of the registry (shared/styles.ts) has one. */
export const datasetRecipes = {
  anime: 'anime-art',
  sketch: 'paired-target',
  toon: 'paired-target',
} as const satisfies Record<KnownStyle, DatasetRecipe>;

export type PairedTargetStyle = { [S in KnownStyle]: (typeof datasetRecipes)[S] extends 'paired-target' ? S : never }[KnownStyle];

export const pairedTargetStyles = knownStyles.filter((style): style is PairedTargetStyle => datasetRecipes[style] === 'paired-target');
