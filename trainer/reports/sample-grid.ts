import { sharp } from '../../shared/image/sharp.js';
import type { OverlayOptions } from 'sharp';
import { escapeXml, reportFont } from './svg.js';

/** One row of a sample grid: raw RGB images of `size`×`size`, one per column. */
export type GridRow = Buffer[];

const header = 28;
const gap = 4;

/**
 * A PNG grid of images under column titles, e.g. input | current model | candidate | target.
 * A missing cell (an empty buffer) is left grey.
 */
export async function renderSampleGrid(rows: readonly GridRow[], columns: readonly string[], size: number): Promise<Buffer> {
  const width = columns.length * (size + gap) + gap;
  const height = header + rows.length * (size + gap) + gap;
  const titles = columns
    .map((c, i) => `<text x="${gap + i * (size + gap) + size / 2}" y="19" font-size="14" text-anchor="middle">${escapeXml(c)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${header}" font-family="${reportFont}"><rect width="100%" height="100%" fill="white"/>${titles}</svg>`;
  const tiles: OverlayOptions[] = [{ input: Buffer.from(svg), left: 0, top: 0 }];
  rows.forEach((row, r) =>
    row.forEach((pixels, c) => {
      if (!pixels.length) return;
      tiles.push({ input: pixels, raw: { width: size, height: size, channels: 3 }, left: gap + c * (size + gap), top: header + gap + r * (size + gap) });
    }),
  );
  return sharp({ create: { width, height, channels: 3, background: '#e8e8e8' } }).composite(tiles).png().toBuffer();
}
