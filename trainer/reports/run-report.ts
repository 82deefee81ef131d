import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sharp } from '../../shared/image/sharp.js';
import type { GeneratorEvaluation } from '../eval/evaluate-generator.js';
import { renderLossCurve, type LossPoint } from './loss-curve.js';
import { renderSampleGrid } from './sample-grid.js';
import { renderSummaryImage } from './summary-image.js';

export interface RunReport {
  dir: string;
  metricsFile: string;
  samplesFile: string;
  lossCurveFile: string;
  summaryFile: string;
}

const cell = 128;

/**
 * Writes a run's folder: metrics.json, samples.png (input | current | candidate | target),
 * loss-curve.png and summary.png (what a bot posts to the admin).
 */
export async function writeRunReport(options: {
  dir: string;
  title: string;
  subtitle: string;
  verdict: string;
  metricsJson: Record<string, unknown>;
  candidate?: GeneratorEvaluation;
  current?: GeneratorEvaluation | undefined;
  primary: { name: string; higherIsBetter: boolean };
  history: readonly LossPoint[];
}): Promise<RunReport> {
  await mkdir(options.dir, { recursive: true });
  const reference = options.candidate ?? options.current;
  if (!reference) throw new Error('a report needs at least one evaluation');
  const columns = ['input', ...(options.current ? ['current model'] : []), ...(options.candidate ? ['candidate'] : []), 'target'];
  const rows = await Promise.all(
    reference.samples.map(async (_, i) => {
      const cells = [
        [reference.samples[i]!.input, reference.size],
        ...(options.current ? [[options.current.samples[i]?.output, options.current.size]] : []),
        ...(options.candidate ? [[options.candidate.samples[i]?.output, options.candidate.size]] : []),
        [reference.samples[i]!.target, reference.size],
      ] as [Buffer | undefined, number][];
      return Promise.all(cells.map(([raw, size]) => (raw ? toCell(raw, size) : Promise.resolve(Buffer.alloc(0)))));
    }),
  );
  const samplesPng = await renderSampleGrid(rows, columns, cell);
  const lossCurvePng = await renderLossCurve(options.history, { title: `${options.title} — losses` });
  const higher = options.primary.higherIsBetter;
  const names = Object.keys(reference.metrics);
  const summaryPng = await renderSummaryImage({
    title: options.title,
    subtitle: options.subtitle,
    verdict: options.verdict,
    metrics: names.map((name) => ({
      name: name === options.primary.name ? `${name} (decides)` : name,
      candidate: (options.candidate ?? options.current)!.metrics[name]!,
      ...(options.candidate && options.current?.metrics[name] !== undefined ? { current: options.current.metrics[name] } : {}),
      higherIsBetter: name === options.primary.name ? higher : name === 'psnr' || name === 'ssim',
    })),
    samplesPng,
    lossCurvePng,
  });
  const report: RunReport = {
    dir: options.dir,
    metricsFile: path.join(options.dir, 'metrics.json'),
    samplesFile: path.join(options.dir, 'samples.png'),
    lossCurveFile: path.join(options.dir, 'loss-curve.png'),
    summaryFile: path.join(options.dir, 'summary.png'),
  };
  await Promise.all([
    writeFile(report.metricsFile, JSON.stringify(options.metricsJson, null, 2) + '\n'),
    writeFile(report.samplesFile, samplesPng),
    writeFile(report.lossCurveFile, lossCurvePng),
    writeFile(report.summaryFile, summaryPng),
  ]);
  return report;
}

function toCell(raw: Buffer, size: number): Promise<Buffer> {
  return sharp(raw, { raw: { width: size, height: size, channels: 3 } })
    .resize(cell, cell)
    .raw()
    .toBuffer();
}
