/**
 * `npm run data:smooth -- DIR`: for an unaligned dataset an admin brought (selfie2anime,
 * anime movie frames), writes the edge-smoothed copy of every B image under the same name
 * into `trainB_smooth/` and `testB_smooth/` (targets/edge-smooth.ts), then rebuilds the
 * manifest. Copies already there are kept, so an interrupted run goes on where it stopped.
 */
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { writeFileAtomic } from './atomic-write.js';
import { detectFormat, isImageFile } from './dataset-layout.js';
import { buildManifest } from './manifest.js';
import { mapConcurrent } from './map-concurrent.js';
import { edgeSmoothFile, edgeSmoothParams } from './targets/edge-smooth.js';

const usage = 'Usage: npm run data:smooth -- DIR   (an unaligned dataset: DIR/trainB, DIR/testB)';

async function main(): Promise<void> {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir || rest.length > 0 || dir === '--help' || dir === '-h') {
    console.log(usage);
    process.exit(dir ? 0 : 2);
  }
  if ((await detectFormat(dir)) !== 'unaligned') throw new Error(`${dir} is not an unaligned dataset (no trainA/ or trainB/ folder)`);
  const started = performance.now();
  const jobs: { from: string; to: string }[] = [];
  for (const split of ['train', 'test']) {
    const names = await readdir(path.join(dir, `${split}B`)).catch(() => [] as string[]);
    for (const name of names.filter(isImageFile).sort()) {
      const to = path.join(dir, `${split}B_smooth`, name);
      if (!(await exists(to))) jobs.push({ from: path.join(dir, `${split}B`, name), to });
    }
  }
  const bar = new cliProgress.SingleBar(
    { format: 'smoothing {bar} {percentage}% | {value}/{total} B images | {duration_formatted} elapsed, eta {eta_formatted}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(jobs.length, 0);
  try {
    await mapConcurrent(jobs, 2, async ({ from, to }) => {
      const copy = await edgeSmoothFile(await readFile(from), path.extname(from), from);
      await mkdir(path.dirname(to), { recursive: true });
      await writeFileAtomic(to, copy);
      bar.increment();
    });
  } finally {
    bar.stop();
  }
  const manifest = await buildManifest(dir, { format: 'unaligned' });
  const p = edgeSmoothParams;
  console.log(
    `${jobs.length} edge-smoothed copies written in ${((performance.now() - started) / 1000).toFixed(1)} s (Canny ${p.lowThreshold}/${p.highThreshold}, ${2 * p.dilateRadius + 1}×${2 * p.dilateRadius + 1} dilation, Gaussian σ=${p.blurSigma}); ` +
      `${dir}: trainA ${manifest.counts.train.a}, trainB ${manifest.counts.train.b}, testA ${manifest.counts.test.a}, testB ${manifest.counts.test.b}, manifest rebuilt`,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

try {
  await main();
} catch (err) {
  console.error(`data:smooth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
