import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { initTf } from '../shared/tf/runtime.js';
import { runTrainingJob } from '../trainer/run-training-job.js';
import '../trainer/tf/register-training-kernels.js';
import { trainOptionsFromFlat, type TrainOptionsInput } from '../trainer/training/train-options.js';
import { announceModel } from './announce-model.js';
import { CliError } from './cli-error.js';
import { styleEvalCommand } from './style-eval-command.js';

const defaultStyleEvalSide = 768;

export const trainUsage = `train --style <name> [--arch <architecture>] [--dataset <name>] [--set key=value ...] [--run <id>]
  Trains a candidate in this process (datasets in DATA_DIR, runs in RUNS_DIR), evaluates it
  against the current model and promotes it if it is better. --set takes training options by
  their reference names (n_epochs=5, lr=0.0001, crop_size=128, max_steps=500) and
  architecture options as arch.<name> (arch.ngf=16). --run <id> resumes that run.
eval --style <name>
  Evaluates the current model on the held-out split and writes a report.
eval --style <name> --photos <dir> --anime <dir> [--size <px>]
  Style statistics: runs the current model (as the worker does) on the photos in <dir> and
  prints a table — content kept (edge correlation), flat fraction, colour count, KID to the
  anime images, checkerboard peaks — for photos, outputs and anime images, each measured with
  its longest side at most --size (default ${defaultStyleEvalSide}).`;

export async function trainCommand(kind: 'train' | 'eval', argv: string[], config: Config, logger: Logger): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      style: { type: 'string' },
      arch: { type: 'string' },
      dataset: { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      run: { type: 'string' },
      photos: { type: 'string' },
      anime: { type: 'string' },
      size: { type: 'string' },
    },
  });
  if (!values.style) throw new CliError(`--style is required\nusage: ${trainUsage}`, 2);
  if (values.photos !== undefined || values.anime !== undefined || values.size !== undefined) {
    if (kind !== 'eval' || !values.photos || !values.anime) throw new CliError(`eval's style statistics need both --photos and --anime (and take --size)\nusage: ${trainUsage}`, 2);
    const maxSide = values.size === undefined ? defaultStyleEvalSide : Number(values.size);
    if (!(Number.isInteger(maxSide) && maxSide >= 64 && maxSide <= 4096)) throw new CliError('--size must be a whole number of pixels from 64 to 4096', 2);
    const commandLine = ['npm run cli --', ...[kind, ...argv].map((a) => (/[\s'"]/.test(a) ? `'${a}'` : a))].join(' ');
    return styleEvalCommand({ style: values.style, photosDir: values.photos, animeDir: values.anime, maxSide, commandLine }, config, logger);
  }
  const runtime = await initTf(config, logger);
  const runId = values.run ?? `${values.style}-${kind}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
  const store = new DirectoryModelStore(config.MODELS_DIR);
  const bar = new cliProgress.SingleBar(
    { format: '{phase} |{bar}| {percentage}% | step {step}/{steps} | {losses} | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20, noTTYOutput: true, notTTYSchedule: 15_000 },
    cliProgress.Presets.shades_classic,
  );
  console.error(`${kind} ${values.style} — run ${runId}, backend ${runtime.description}`);
  bar.start(100, 0, { phase: 'preparing', step: 0, steps: '?', losses: '' });
  try {
    const result = await runTrainingJob({
      kind,
      style: values.style,
      ...(values.arch ? { architecture: values.arch } : {}),
      ...(values.dataset ? { dataset: values.dataset } : {}),
      options: parseSettings(values.set),
      runId,
      dataDir: config.DATA_DIR,
      runsDir: config.RUNS_DIR,
      store,
      logger,
      featureWeights: config,
      onPromoted: (style, version) => announceModel(config, style, version),
      onProgress: (p) => {
        const losses = Object.entries(p.losses ?? {})
          .filter(([k]) => k.endsWith('_total'))
          .map(([k, v]) => `${k.replace('_total', '')} ${v.toFixed(3)}`)
          .join(' ');
        bar.update(Math.round(p.percent), { phase: p.phase, step: p.step ?? '-', steps: p.totalSteps ?? '-', losses });
      },
    });
    bar.stop();
    const metrics = Object.entries(result.metrics)
      .map(([k, v]) => `${k} ${v.toFixed(4)}`)
      .join(', ');
    const current = result.currentMetrics
      ? ` (current: ${Object.entries(result.currentMetrics)
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(', ')})`
      : '';
    console.log(`${result.style} ${result.version}: ${metrics}${current}`);
    if (kind === 'train') console.log(result.promoted ? `promoted ${result.version} to current` : `kept ${result.version} as a candidate`);
    console.log(`report: ${result.summaryImage}`);
  } catch (err) {
    bar.stop();
    throw err;
  }
}

/** `key=value` pairs (numbers and booleans parsed) into training options. */
function parseSettings(pairs: string[]): TrainOptionsInput {
  const flat: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new CliError(`--set expects key=value, got "${pair}"`, 2);
    const raw = pair.slice(eq + 1);
    flat[pair.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return trainOptionsFromFlat(flat);
}
