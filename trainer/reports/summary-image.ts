import { sharp } from '../../shared/image/sharp.js';
import { escapeXml, reportFont } from './svg.js';

export interface RunSummary {
  title: string;
  subtitle: string;
  /** Metric name → [candidate, current (if any)]. */
  metrics: { name: string; candidate: number; current?: number; higherIsBetter: boolean }[];
  verdict: string;
  samplesPng: Buffer;
  lossCurvePng: Buffer;
}

/**
 * One image a bot can post to an admin: what was trained, the verdict, the metrics of the
 * candidate against the current model, the sample grid and the loss curve.
 */
export async function renderSummaryImage(s: RunSummary): Promise<Buffer> {
  const width = 900;
  const textHeight = 126 + s.metrics.length * 22;
  const samples = await sharp(s.samplesPng)
    .resize({ width: width - 20, withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true });
  const curve = await sharp(s.lossCurvePng)
    .resize({ width: width - 20, withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true });
  const height = textHeight + samples.info.height + curve.info.height + 30;
  const rows = s.metrics
    .map((m, i) => {
      const better = m.current === undefined ? undefined : m.higherIsBetter ? m.candidate > m.current : m.candidate < m.current;
      const colour = better === undefined ? '#000' : better ? '#007a3d' : '#b00020';
      const yy = 122 + i * 22;
      return (
        `<text x="20" y="${yy}" font-size="14">${escapeXml(m.name)} (${m.higherIsBetter ? 'higher' : 'lower'} is better)</text>` +
        `<text x="420" y="${yy}" font-size="14" fill="${colour}">${m.candidate.toFixed(4)}</text>` +
        `<text x="560" y="${yy}" font-size="14">${m.current === undefined ? '—' : m.current.toFixed(4)}</text>`
      );
    })
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${textHeight}" font-family="${reportFont}">
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="28" font-size="20" font-weight="bold">${escapeXml(s.title)}</text>
<text x="20" y="50" font-size="11">${escapeXml(s.subtitle)}</text>
<text x="20" y="72" font-size="15" font-weight="bold">${escapeXml(s.verdict)}</text>
<text x="420" y="98" font-size="13" font-weight="bold">candidate</text><text x="560" y="98" font-size="13" font-weight="bold">current</text>
${rows}
</svg>`;
  return sharp({ create: { width, height, channels: 3, background: 'white' } })
    .composite([
      { input: Buffer.from(svg), left: 0, top: 0 },
      { input: samples.data, left: 10, top: textHeight + 10 },
      { input: curve.data, left: 10, top: textHeight + samples.info.height + 20 },
    ])
    .png()
    .toBuffer();
}
