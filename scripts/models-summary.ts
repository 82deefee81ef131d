import { loadConfig } from '../shared/config.js';
import { disposeNetworks } from '../gan/dispose-networks.js';
import { countFlops } from '../gan/flops.js';
import { listArchitectures, type Architecture } from '../gan/index.js';
import { trainableParamCount } from '../gan/param-count.js';
import { initTf } from '../shared/tf/runtime.js';
import { timeForward } from '../shared/tf/time-forward.js';

/**
 * `npm run models:summary`: every registered architecture at its paper/default options —
 * trainable parameters of its generators and of its discriminators (shared layers once),
 * FLOPs of one forward of the served generator per 256×256 image (see gan/flops.ts),
 * the time of that forward on the current backend (TF_BACKEND, default auto), and how the
 * worker serves it (at the photo's resolution, sides multiples of N, or letterboxed). An
 * architecture with an `upsample` option (the U-Nets) gets a second row with 'resize'.
 */

interface Row {
  name: string;
  inputSize: number;
  generatorParams: number;
  discriminatorParams: number;
  gflopsAt256: number;
  /** FLOPs scaled from another input size, or layers approximated: the FLOPs are an estimate. */
  estimated: boolean;
  forwardMs: number;
  forwardRuns: number;
  /** Architecture.servedSizeMultiple; undefined: letterboxed. */
  sizeMultiple: number | undefined;
}

/** A forward slower than this is timed once only. */
const slowForwardMs = 2000;

/** The options to summarise: the paper's, and with resize upsampling where the architecture has that option. */
function variants(arch: Architecture): { label: string; options: Record<string, unknown> }[] {
  const paper = { label: arch.name, options: arch.options.parse({}) };
  const resize = arch.options.safeParse({ upsample: 'resize' });
  return resize.success && resize.data.upsample === 'resize' ? [paper, { label: `${arch.name} (upsample resize)`, options: resize.data }] : [paper];
}

async function summarise(arch: Architecture, label: string, options: Record<string, unknown>): Promise<Row> {
  const size = arch.inputSize(options);
  const nets = arch.build(options);
  try {
    const served = nets.generators[arch.served];
    if (!served) throw new Error(`${arch.name}: served generator ${arch.served} was not built`);
    const { flops, approximated } = countFlops(served, { inputSize: size });
    if (approximated.length) log(`  ${label}: FLOPs of ${approximated.join(', ')} approximated from their weights (see gan/flops.ts)`);
    log(`  ${label}: timing a ${size}×${size} forward…`);
    const { msPerBatch: ms, runs } = await timeForward(served, { size, batch: 1, warmup: 1, runs: 3, slowMs: slowForwardMs });
    return {
      name: label,
      inputSize: size,
      generatorParams: trainableParamCount(Object.values(nets.generators)),
      discriminatorParams: trainableParamCount(Object.values(nets.discriminators)),
      // Conv nets cost in proportion to the pixels; models of another input size are scaled.
      gflopsAt256: (flops * (256 / size) ** 2) / 1e9,
      estimated: size !== 256 || approximated.length > 0,
      forwardMs: ms,
      forwardRuns: runs,
      sizeMultiple: arch.servedSizeMultiple?.(options),
    };
  } finally {
    disposeNetworks(nets);
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function table(rows: Row[]): string {
  const header = ['architecture', 'input', 'G params', 'D params', 'GFLOPs/256² img', 'forward', 'served'];
  const millions = (n: number) => `${(n / 1e6).toFixed(3)} M`;
  const body = rows.map((r) => [
    r.name,
    `${r.inputSize}²`,
    millions(r.generatorParams),
    millions(r.discriminatorParams),
    `${r.estimated ? '≈' : ''}${r.gflopsAt256.toFixed(2)}`,
    `${r.forwardMs.toFixed(0)} ms${r.forwardRuns === 1 ? ' (1 run)' : ''}`,
    r.sizeMultiple ? `native, ×${r.sizeMultiple}` : 'letterbox',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const runtime = await initTf(loadConfig());
  const architectures = listArchitectures();
  log(`backend ${runtime.description}; ${architectures.length} architectures`);
  const rows: Row[] = [];
  for (const [i, arch] of architectures.entries()) {
    for (const { label, options } of variants(arch)) {
      log(`[${i + 1}/${architectures.length}] ${label}: building…`);
      const row = await summarise(arch, label, options);
      log(
        `  ${label}: G ${row.generatorParams.toLocaleString('en')} params, D ${row.discriminatorParams.toLocaleString('en')}, ${row.gflopsAt256.toFixed(2)} GFLOPs, forward ${row.forwardMs.toFixed(0)} ms`,
      );
      rows.push(row);
    }
  }
  console.log(
    `\nModel zoo on ${runtime.description} (trainable parameters; FLOPs = 2 × multiply-adds of convs and dense layers of the served generator; ≈ scaled from another input size or partly approximated)\n`,
  );
  console.log(table(rows));
}

await main();
