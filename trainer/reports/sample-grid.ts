import { sharp } from '../../shared/image/sharp.js';
import type { OverlayOptions } from 'sharp';
import { escapeXml, reportFont } from './svg.js';

/**
 * One cell of a sample grid: raw RGB of `size`×`size` (an empty buffer leaves the cell grey),
 * raw RGB of another size that fits inside it (centred), or a note written on the grey cell.
 */
export type GridCell = Buffer | { pixels: Buffer; width: number; height: number } | { note: string };
/** One row of a sample grid: a cell per column. */
export type GridRow = GridCell[];

const header = 28;
const gap = 4;

/**
 * A PNG grid of images under column titles, e.g. input | current model | candidate | target.
 * A missing cell (an empty buffer) is left grey.
 */
export async function renderSampleGrid(rows: readonly GridRow[], columns: readonly string[], size: number): Promise<Buffer> {
  const width = columns.length * (size + gap) + gap;
  const height = header + rows.length * (size + gap) + gap;
  const titles = columns.map((c, i) => `<text x="${gap + i * (size + gap) + size / 2}" y="19" font-size="14" text-anchor="middle">${escapeXml(c)}</text>`).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${header}" font-family="${reportFont}"><rect width="100%" height="100%" fill="white"/>${titles}</svg>`;
  const tiles: OverlayOptions[] = [{ input: Buffer.from(svg), left: 0, top: 0 }];
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      const left = gap + c * (size + gap);
      const top = header + gap + r * (size + gap);
      if (Buffer.isBuffer(cell)) {
        if (cell.length) tiles.push({ input: cell, raw: { width: size, height: size, channels: 3 }, left, top });
      } else if ('note' in cell) {
        const note = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" font-family="${reportFont}"><text x="${size / 2}" y="${size / 2}" font-size="14" fill="#555" text-anchor="middle">${escapeXml(cell.note)}</text></svg>`;
        tiles.push({ input: Buffer.from(note), left, top });
      } else {
        if (cell.width > size || cell.height > size) throw new RangeError(`a ${cell.width}×${cell.height} image does not fit a ${size}-pixel grid cell`);
        const at = { left: left + Math.floor((size - cell.width) / 2), top: top + Math.floor((size - cell.height) / 2) };
        tiles.push({ input: cell.pixels, raw: { width: cell.width, height: cell.height, channels: 3 }, ...at });
      }
    }),
  );
  return sharp({ create: { width, height, channels: 3, background: '#e8e8e8' } })
    .composite(tiles)
    .png()
    .toBuffer();
}
