import { UserError } from './errors.js';

/** A style the project knows: what users see, and what the trainer makes its models from. */
export interface StyleDefinition {
  /** The name users are shown ("Cartoon"); they may ask for the style by it or by its key. */
  label: string;
  /**
   * The dataset (a folder under the trainer's DATA_DIR) its training profile reads by
   * default. The trainer keys its profiles (trainer/style-profiles.ts) and `npm run
   * data:build`'s recipes (trainer/data/dataset-recipes.ts) by the same style keys.
   */
  dataset: string;
}

/**
 * The one registry of styles, read by the bots, the worker and the trainer. A style is
 * served only when a model for it is installed; asking for a known style without a model
 * falls back to the default style, or another installed one (and the answer says so);
 * asking for an unknown name is refused.
 */
export const styleCatalogue = {
  anime: { label: 'Anime', dataset: 'anime' },
  sketch: { label: 'Pencil sketch', dataset: 'sketch' },
  toon: { label: 'Cartoon', dataset: 'toon' },
} as const satisfies Record<string, StyleDefinition>;
export type KnownStyle = keyof typeof styleCatalogue;

export const knownStyles = Object.keys(styleCatalogue) as KnownStyle[];

export function isKnownStyle(style: string): style is KnownStyle {
  return Object.hasOwn(styleCatalogue, style);
}

export function styleLabel(style: string): string {
  return isKnownStyle(style) ? styleCatalogue[style].label : style;
}

/** Words of a text, lower-cased, without punctuation ("Cartoon!" → "cartoon"). */
function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}-]+/u)
    .filter(Boolean);
}

/**
 * The style a name means: a style's key or the label users are shown ("toon", "Cartoon",
 * "pencil sketch"), case-insensitively, among `styles` and the catalogue. Undefined for
 * any other name.
 */
export function styleNamed(name: string, styles: readonly string[] = []): string | undefined {
  const wanted = words(name).join(' ');
  if (!wanted) return undefined;
  return [...new Set([...styles, ...knownStyles])].find((style) => style === wanted || words(styleLabel(style)).join(' ') === wanted);
}

/**
 * The style a caption asks for: a leading "/name" or "/style name" (with or without
 * "@botname"), or the first
 * style word anywhere in it ("Make it toon please", "cartoon!", "a pencil sketch"). A
 * caption without one asks for none (undefined); a leading "/name" that names no style is
 * returned as it is, for the style choice to refuse.
 */
export function styleInCaption(caption: string | undefined, styles: readonly string[] = []): string | undefined {
  const text = caption?.trim() ?? '';
  const [, command, rest = ''] = /^\/([\w-]+)(?:@\w+)?(?:\s+(.*))?$/s.exec(text) ?? [];
  if (command && command.toLowerCase() !== 'style') return styleNamed(command, styles) ?? command.toLowerCase();
  // "/style Cartoon": the name after it.
  if (command) return rest.trim() ? (styleNamed(rest, styles) ?? rest.trim().toLowerCase()) : undefined;
  const captionWords = words(text);
  // Longest names first, so that "pencil sketch" is found as one name.
  for (let i = 0; i < captionWords.length; i++) {
    for (const length of [3, 2, 1]) {
      const style = i + length <= captionWords.length ? styleNamed(captionWords.slice(i, i + length).join(' '), styles) : undefined;
      if (style) return style;
    }
  }
  return undefined;
}

export interface ResolvedStyle {
  style: string;
  /** Set when `style` is a fallback for a requested style that has no model. */
  requestedStyle?: string;
}

/**
 * Chooses the style to run. `installed` are the styles with a current model; `requested`
 * may be a key or a label. A style without a model falls back to the default style, else
 * to the first installed one. Throws UserError (unknown_style, no_model) when nothing
 * sensible can run.
 */
export function resolveStyle(requested: string | undefined, installed: readonly string[], defaultStyle: string): ResolvedStyle {
  const wanted = requested === undefined ? defaultStyle : (styleNamed(requested, [...installed, defaultStyle]) ?? requested);
  if (installed.includes(wanted)) return { style: wanted };
  const known = isKnownStyle(wanted) || wanted === defaultStyle;
  if (!known) throw UserError.unknownStyle(wanted, installed);
  const fallback = installed.includes(defaultStyle) ? defaultStyle : installed[0];
  if (fallback === undefined) throw requested === undefined ? UserError.noStyles() : UserError.noModel(styleLabel(wanted));
  return { style: fallback, requestedStyle: wanted };
}
