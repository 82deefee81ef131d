import { sharp } from '../../shared/image/sharp.js';
import { escapeXml, reportFont, seriesColours } from './svg.js';

export interface LossPoint {
  step: number;
  losses: Record<string, number>;
}

/**
 * A loss-curve PNG: one line per loss name over steps (smoothed with a moving average so
 * the trend is visible through GAN noise; the raw values are faint behind it).
 */
export async function renderLossCurve(history: readonly LossPoint[], options: { title: string; width?: number; height?: number }): Promise<Buffer> {
  const width = options.width ?? 800;
  const height = options.height ?? 400;
  const pad = { left: 60, right: 170, top: 36, bottom: 36 };
  const names = [...new Set(history.flatMap((p) => Object.keys(p.losses)))];
  const values = history.flatMap((p) => Object.values(p.losses)).filter(Number.isFinite);
  const steps = history.map((p) => p.step);
  const [minStep, maxStep] = [Math.min(...steps, 0), Math.max(...steps, 1)];
  const [lo, hi] = values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  const span = hi - lo || 1;
  const x = (step: number) => pad.left + ((step - minStep) / (maxStep - minStep || 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - lo) / span) * (height - pad.top - pad.bottom);
  const window = Math.max(1, Math.round(history.length / 30));

  const lines = names.map((name, i) => {
    const colour = seriesColours[i % seriesColours.length]!;
    const series = history.filter((p) => Number.isFinite(p.losses[name])).map((p) => [p.step, p.losses[name]!] as const);
    const smooth = series.map(([step], j) => {
      const slice = series.slice(Math.max(0, j - window + 1), j + 1);
      return [step, slice.reduce((s, [, v]) => s + v, 0) / slice.length] as const;
    });
    const points = (pts: readonly (readonly [number, number])[]) => pts.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    const last = smooth.at(-1)?.[1];
    return (
      `<polyline points="${points(series)}" fill="none" stroke="${colour}" stroke-opacity="0.25" stroke-width="1"/>` +
      `<polyline points="${points(smooth)}" fill="none" stroke="${colour}" stroke-width="2"/>` +
      `<rect x="${width - pad.right + 12}" y="${pad.top + i * 20 - 9}" width="12" height="12" fill="${colour}"/>` +
      `<text x="${width - pad.right + 30}" y="${pad.top + i * 20 + 2}" font-size="13">${escapeXml(name)}${last === undefined ? '' : ` ${last.toFixed(3)}`}</text>`
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + f * span;
    return `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v.toPrecision(3)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${reportFont}">
<rect width="100%" height="100%" fill="white"/>
<text x="${pad.left}" y="22" font-size="16" font-weight="bold">${escapeXml(options.title)}</text>
${ticks.join('')}
<text x="${pad.left}" y="${height - 10}" font-size="11">step ${minStep}</text>
<text x="${width - pad.right}" y="${height - 10}" font-size="11" text-anchor="end">step ${maxStep}</text>
${history.length ? lines.join('\n') : `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="14">no steps recorded</text>`}
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
