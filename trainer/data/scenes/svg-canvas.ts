import type { SeededRandom } from '../seeded-random.js';

/** Scenes are drawn in a 1000×1000 user space and rendered at any pixel size. */
export const canvasSize = 1000;

export type Stop = readonly [offset: number, color: string, opacity?: number];

/**
 * A tiny SVG writer for procedural scenes: shapes go into the body in painting order,
 * gradients and filters into <defs> under fresh ids, and each helper returns the
 * `url(#id)` to use in a fill or filter attribute.
 */
export class SvgCanvas {
  private readonly defs: string[] = [];
  private readonly body: string[] = [];
  private ids = 0;

  constructor(readonly rng: SeededRandom) {}

  add(markup: string): void {
    this.body.push(markup);
  }

  /** Wraps what `draw` adds in a group with the given attributes (a filter, opacity, transform). */
  group(attributes: string, draw: () => void): void {
    this.body.push(`<g ${attributes}>`);
    draw();
    this.body.push('</g>');
  }

  linearGradient(stops: readonly Stop[], x1 = 0, y1 = 0, x2 = 0, y2 = 1): string {
    const id = this.nextId('lg');
    this.defs.push(`<linearGradient id="${id}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">${stopsMarkup(stops)}</linearGradient>`);
    return `url(#${id})`;
  }

  /** Centre and radius in the shape's bounding box (0-1); the focus (fx, fy) gives an off-centre highlight. */
  radialGradient(stops: readonly Stop[], cx = 0.5, cy = 0.5, r = 0.5, fx = cx, fy = cy): string {
    const id = this.nextId('rg');
    this.defs.push(`<radialGradient id="${id}" cx="${cx}" cy="${cy}" r="${r}" fx="${fx}" fy="${fy}">${stopsMarkup(stops)}</radialGradient>`);
    return `url(#${id})`;
  }

  clipPath(shapes: string): string {
    const id = this.nextId('clip');
    this.defs.push(`<clipPath id="${id}">${shapes}</clipPath>`);
    return `url(#${id})`;
  }

  blur(deviation: number): string {
    const id = this.nextId('blur');
    this.defs.push(
      `<filter id="${id}" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${fmt(deviation)}"/></filter>`,
    );
    return `url(#${id})`;
  }

  /**
   * A noise texture confined to the shape it is applied to: fractal noise (different
   * frequencies along x and y give grain, wood or grass-like streaks) turned into dark
   * and light speckles of the given strength (0-1) over the shape's own colour.
   */
  texture(frequencyX: number, frequencyY: number, octaves: number, strength: number): string {
    const id = this.nextId('tex');
    const seed = this.rng.int(0, 9999);
    const s = fmt(strength * 2);
    const bias = fmt(-strength);
    this.defs.push(
      `<filter id="${id}" x="0" y="0" width="100%" height="100%" color-interpolation-filters="sRGB">` +
        `<feTurbulence type="fractalNoise" baseFrequency="${fmt(frequencyX)} ${fmt(frequencyY)}" numOctaves="${octaves}" seed="${seed}" result="noise"/>` +
        // Noise in [0,1] → a gray offset in [-strength, strength] added to each channel.
        `<feColorMatrix in="noise" type="matrix" values="${s} 0 0 0 ${bias}  ${s} 0 0 0 ${bias}  ${s} 0 0 0 ${bias}  0 0 0 0 1" result="offset"/>` +
        `<feComposite in="SourceGraphic" in2="offset" operator="arithmetic" k1="0" k2="1" k3="1" k4="0" result="textured"/>` +
        `<feComposite in="textured" in2="SourceAlpha" operator="in"/>` +
        `</filter>`,
    );
    return `url(#${id})`;
  }

  toSvg(pixels: number): string {
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${pixels}" height="${pixels}" viewBox="0 0 ${canvasSize} ${canvasSize}">` +
      `<defs>${this.defs.join('')}</defs>${this.body.join('')}</svg>`
    );
  }

  private nextId(prefix: string): string {
    this.ids += 1;
    return `${prefix}${this.ids}`;
  }
}

function stopsMarkup(stops: readonly Stop[]): string {
  return stops
    .map(([offset, color, opacity]) => `<stop offset="${fmt(offset)}" stop-color="${color}"${opacity === undefined ? '' : ` stop-opacity="${fmt(opacity)}"`}/>`)
    .join('');
}

/** Numbers for SVG attributes: short, never in exponent form. */
export function fmt(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}

/** An sRGB hex colour from hue (degrees), saturation and lightness (0-1). */
export function hsl(hue: number, saturation: number, lightness: number): string {
  const h = (((hue % 360) + 360) % 360) / 360;
  const s = Math.min(1, Math.max(0, saturation));
  const l = Math.min(1, Math.max(0, lightness));
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number): string => {
    const tt = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    const v = tt < 1 / 6 ? p + (q - p) * 6 * tt : tt < 1 / 2 ? q : tt < 2 / 3 ? p + (q - p) * (2 / 3 - tt) * 6 : p;
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}

/** A point list for polygon/polyline `points`. */
export function points(pts: readonly (readonly [number, number])[]): string {
  return pts.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ');
}
