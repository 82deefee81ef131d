import { NoModelError, UnknownStyleError } from './errors.js';

/**
 * Styles the project knows by name, with what users see. A style is served only when a
 * model for it is installed; asking for a known style without a model falls back to the
 * default style (and the answer says so), asking for an unknown name is refused.
 */
export const styleCatalogue: Record<string, string> = {
  anime: 'Anime',
  sketch: 'Pencil sketch',
  toon: 'Cartoon',
};

export function styleLabel(style: string): string {
  return styleCatalogue[style] ?? style;
}

export interface ResolvedStyle {
  style: string;
  /** Set when `style` is a fallback for a requested style that has no model. */
  requestedStyle?: string;
}

/**
 * Chooses the style to run. `installed` are the styles with a current model.
 * Throws UserError (unknown_style, no_model) when nothing sensible can run.
 */
export function resolveStyle(requested: string | undefined, installed: readonly string[], defaultStyle: string): ResolvedStyle {
  const wanted = requested ?? defaultStyle;
  if (installed.includes(wanted)) return { style: wanted };
  const known = wanted in styleCatalogue || wanted === defaultStyle;
  if (!known) throw UnknownStyleError(wanted, installed);
  if (wanted !== defaultStyle && installed.includes(defaultStyle)) return { style: defaultStyle, requestedStyle: wanted };
  throw NoModelError(wanted);
}
