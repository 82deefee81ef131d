/** Escapes text for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export const reportFont = 'DejaVu Sans, Arial, sans-serif';
/** Distinguishable line colours (Okabe–Ito), in order of use. */
export const seriesColours = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
