import type { ModelVersionInfo } from '../../shared/models/model-store.js';
import type { TrainJob, TrainProgress, TrainResult, TranslateProgress, TranslateResult } from '../../shared/queue/contracts.js';
import type { CancelledRun, TrainRun } from '../../shared/queue/train-runs.js';
import { styleLabel, type ResolvedStyle } from '../../shared/styles.js';
import { commandCatalogue } from './command-catalogue.js';
import type { WaitEstimate } from './wait-estimate.js';

/**
 * Every text the bots show, written once for all platforms (plain text: no markup to
 * escape). Platforms add only their own framing (mentions, command prefixes).
 */

/** `style` is what will run; when it stands in for a requested style without a model, a second line says so. */
export function queuedText({ position, etaSeconds }: WaitEstimate, style?: ResolvedStyle): string {
  const queued = etaSeconds === undefined ? `Queued — position ${position} (waiting for a worker to start)` : `Queued — position ${position} (about ${etaSeconds} s)`;
  return style?.requestedStyle ? `${queued}\n${fallbackText(style.requestedStyle, style.style)}` : queued;
}

function fallbackText(requested: string, style: string): string {
  return `${styleLabel(requested)} has no model yet, so you get ${styleLabel(style)} instead.`;
}

const stageWords: Record<TranslateProgress['stage'], string> = {
  decoding: 'reading your image',
  'loading-model': 'loading the model',
  running: 'styling',
  encoding: 'finishing',
  done: 'finishing',
};

export function progressText(progress: TranslateProgress): string {
  return `Running — ${stageWords[progress.stage]} (${Math.round(progress.percent)} %)`;
}

export function doneText(result: TranslateResult): string {
  return `Done — ${styleLabel(result.style)}, ${result.width}×${result.height}, ${(result.timings.totalMs / 1000).toFixed(1)} s`;
}

export function resultCaption(result: TranslateResult): string {
  const label = styleLabel(result.style);
  return result.requestedStyle ? `${label} — ${fallbackText(result.requestedStyle, result.style)}` : label;
}

export function failedText(message: string): string {
  return `Failed — ${message}`;
}

export function introText(botName: string): string {
  return `Hi! I am ${botName}. Send me a photo and I send it back drawn in another style. Put a style name in the caption (for example "toon" or "Cartoon") to choose one; /styles lists them and /help shows everything I can do.`;
}

/** How a platform's users use the bot, for /help. */
export interface HelpOptions {
  /** Longest side of a result (MAX_OUTPUT_SIDE). */
  maxOutputSide: number;
  /** How to send an image and pick its style, on this platform. */
  howToSend: string;
  /** The catalogue's user commands that this platform has. */
  userCommands: readonly string[];
  /** How admin commands are typed: "/" on Telegram, "/admin " on Discord. */
  adminPrefix: string;
  /** Whether admin commands are shown with their arguments (Discord shows its options itself). */
  adminArgs: boolean;
}

export const telegramHelp = {
  howToSend: 'Send a photo, or an image as a file (which is not recompressed), and I send it back styled. A style name in the caption ("toon", "Cartoon") picks the style.',
  userCommands: ['start', 'help', 'styles', 'style', 'status', 'cancel', 'forget'],
  adminPrefix: '/',
  adminArgs: true,
} as const satisfies Omit<HelpOptions, 'maxOutputSide'>;

export const discordHelp = {
  howToSend: 'Use /anime with an image, or Apps → Animeify on a message with one, and I send it back styled. The style option of /anime picks the style.',
  userCommands: ['help', 'styles', 'style', 'status', 'cancel', 'forget'],
  adminPrefix: '/admin ',
  adminArgs: false,
} as const satisfies Omit<HelpOptions, 'maxOutputSide'>;

export function helpText(isAdmin: boolean, options: HelpOptions): string {
  const line = (prefix: string, withArgs: boolean) => (c: (typeof commandCatalogue)[number]) => `${prefix}${c.name}${withArgs && c.args ? ` ${c.args}` : ''} — ${c.description}`;
  const user = commandCatalogue.filter((c) => !c.adminOnly && options.userCommands.includes(c.name)).map(line('/', true));
  const admin = commandCatalogue.filter((c) => c.adminOnly).map(line(options.adminPrefix, options.adminArgs));
  return [
    options.howToSend,
    `Results are as large as your image, but at most ${options.maxOutputSide} pixels on the longest side.`,
    '',
    ...user,
    ...(isAdmin ? ['', 'Admin:', ...admin] : []),
  ].join('\n');
}

/** `howToChoose` ends the list: how the platform's users pick a style. */
export function stylesText(
  installed: readonly string[],
  defaultStyle: string,
  yourStyle: string | undefined,
  howToChoose = 'Set yours with /style <name>, or put the name in a photo’s caption.',
): string {
  if (!installed.length) return 'No styles are installed yet.';
  const chosen = yourStyle ?? defaultStyle;
  const lines = installed.map((s) => `• ${s} — ${styleLabel(s)}${s === chosen ? (yourStyle ? ' (your default)' : ' (default)') : ''}`);
  return ['Styles:', ...lines, '', howToChoose].join('\n');
}

export function styleSetText(style: string): string {
  return `Your default style is now ${styleLabel(style)}.`;
}

/** Where one of a user's requests is. */
export type PendingState = { state: 'waiting'; estimate: WaitEstimate } | { state: 'running'; progress: TranslateProgress | undefined } | { state: 'finishing' };

export interface QueueCounts {
  waiting: number;
  active: number;
  workers: number;
}

export function statusText(requests: readonly { style: string | undefined; state: PendingState }[], queue: QueueCounts): string {
  const queueLine = `Queue: ${queue.waiting} waiting, ${queue.active} running, ${queue.workers} worker${queue.workers === 1 ? '' : 's'}.`;
  if (!requests.length) return `You have no requests in progress.\n${queueLine}`;
  const describe = (s: PendingState) => (s.state === 'waiting' ? queuedText(s.estimate) : s.state === 'running' ? (s.progress ? progressText(s.progress) : 'Running') : 'Sending the result');
  const lines = requests.map((r) => `• ${r.style ? styleLabel(r.style) : 'Default style'}: ${describe(r.state)}`);
  return ['Your requests:', ...lines, queueLine].join('\n');
}

export function cancelText(outcome: 'cancelled' | 'running' | 'none'): string {
  return outcome === 'cancelled'
    ? 'Cancelled your waiting request.'
    : outcome === 'running'
      ? 'Your request is already being processed and can no longer be cancelled.'
      : 'You have no waiting request to cancel.';
}

export function forgetText({ settings, images, cancelled }: { settings: boolean; images: number; cancelled: number }): string {
  const parts = [
    settings ? 'your settings' : undefined,
    `${images} stored image${images === 1 ? '' : 's'}`,
    cancelled ? `${cancelled} pending request${cancelled === 1 ? '' : 's'} (cancelled)` : undefined,
  ].filter(Boolean);
  return `Deleted ${parts.join(', ')}.`;
}

// Admin texts.

/** "Training toon on faces", "Evaluating sketch". */
function runLabel(job: Pick<TrainJob, 'kind' | 'style' | 'dataset'>): string {
  return `${job.kind === 'train' ? 'Training' : 'Evaluating'} ${job.style}${job.dataset ? ` on ${job.dataset}` : ''}`;
}

export function trainQueuedText(job: Pick<TrainJob, 'kind' | 'style' | 'dataset'>): string {
  return `${runLabel(job)}: queued.`;
}

const phaseWords: Record<TrainProgress['phase'], string> = {
  preparing: 'preparing',
  training: 'training',
  evaluating: 'evaluating',
  promoting: 'promoting',
  done: 'done',
};

export function trainProgressText(job: Pick<TrainJob, 'kind' | 'style'>, p: TrainProgress): string {
  const steps = p.step !== undefined && p.totalSteps !== undefined ? `, step ${p.step}/${p.totalSteps}` : '';
  const losses = p.losses
    ? ` — ${Object.entries(p.losses)
        .map(([k, v]) => `${k} ${formatNumber(v)}`)
        .join(', ')}`
    : '';
  return `${job.kind === 'train' ? 'Training' : 'Evaluating'} ${job.style}: ${phaseWords[p.phase]} ${Math.round(p.percent)} %${steps}${losses}`;
}

export function trainDoneText(job: Pick<TrainJob, 'kind' | 'style'>, result: TrainResult): string {
  const metrics = Object.entries(result.metrics).map(([k, v]) => {
    const before = result.currentMetrics?.[k];
    return `${k} ${formatNumber(v)}${before === undefined ? '' : ` (current ${formatNumber(before)})`}`;
  });
  const verdict = job.kind === 'eval' ? 'evaluated' : result.promoted ? 'promoted' : 'kept as a candidate (not better than the current model)';
  return [`${job.kind === 'train' ? 'Training' : 'Evaluation'} of ${result.style} finished: version ${result.version} ${verdict}.`, ...metrics].join('\n');
}

export function trainFailedText(job: Pick<TrainJob, 'kind' | 'style'>, reason: string): string {
  return `${job.kind === 'train' ? 'Training' : 'Evaluation'} of ${job.style} failed: ${reason}`;
}

/** `reason` is the trainer's: "stopped at step N; the last checkpoint is kept". */
export function trainCancelledText(job: Pick<TrainJob, 'kind' | 'style'>, reason: string): string {
  return `${job.kind === 'train' ? 'Training' : 'Evaluation'} of ${job.style} cancelled: ${reason}`;
}

const platformNames: Record<string, string> = { telegram: 'Telegram', discord: 'Discord' };

/** Who asked for a run, in words: ", by you", ", by an admin on Telegram", ", by the schedule", or the name the CLI was given. */
function requesterText(requestedBy: string | undefined, viewer: string | undefined): string {
  if (!requestedBy) return '';
  if (requestedBy === 'schedule') return ', by the schedule';
  if (requestedBy === viewer) return ', by you';
  // "telegram:123" is an id, not a name: only the platform is said.
  const platform = platformNames[requestedBy.split(':')[0] ?? ''];
  return platform ? `, by an admin on ${platform}` : `, by ${requestedBy}`;
}

/** `viewer` is the admin reading the list, as runs record who asked ("telegram:123"). */
export function runsText(runs: readonly TrainRun[], viewer?: string): string {
  if (!runs.length) return 'No training or evaluation runs are waiting, running or recently ended.';
  const line = (run: TrainRun) => `• ${run.id} — ${runLabel(run.job)}${requesterText(run.job.requestedBy, viewer)}\n  ${runStateText(run)}`;
  return ['Training and evaluation runs, open ones first, newest first:', ...runs.map(line)].join('\n');
}

function runStateText(run: TrainRun): string {
  const when = formatTime(run.at);
  switch (run.state) {
    case 'active': {
      const p = run.progress;
      const steps = p?.step !== undefined && p.totalSteps !== undefined ? `, step ${p.step}/${p.totalSteps}` : '';
      return `${p ? `running ${Math.round(p.percent)} % (${phaseWords[p.phase]}${steps})` : 'running'}, started ${when}`;
    }
    case 'waiting':
      return `waiting since ${when}`;
    case 'delayed':
      return `due ${when}`;
    case 'completed': {
      const r = run.result;
      const outcome = !r ? 'ended' : run.job.kind === 'eval' ? `evaluated ${r.version}` : r.promoted ? `promoted ${r.version}` : `${r.version} kept as a candidate`;
      return `${outcome} — ${when}`;
    }
    case 'failed':
      return `${run.failure?.cancelled ? 'cancelled' : 'failed'}: ${run.failure?.reason ?? 'no reason given'} — ${when}`;
  }
}

export function runCancelledText({ outcome, run }: CancelledRun): string {
  return outcome === 'removed'
    ? `Removed ${run.id} (${runLabel(run.job)}); it had not started.`
    : `Stopping ${run.id} (${runLabel(run.job)}): it stops after its current training step and keeps its checkpoint. The run list shows it as cancelled once it has.`;
}

export function modelsText(styles: readonly { style: string; versions: readonly ModelVersionInfo[] }[]): string {
  if (!styles.length) return 'No models are stored yet.';
  return styles
    .map(({ style, versions }) =>
      [
        `${style} (${styleLabel(style)}):`,
        ...versions.map(({ meta, current }) => {
          const metrics = Object.entries(meta.metrics)
            .map(([k, v]) => `${k} ${formatNumber(v)}`)
            .join(', ');
          return `${current ? '▶' : '•'} ${meta.version} — ${meta.architecture}${metrics ? `, ${metrics}` : ''}${current ? ' (current)' : ''}`;
        }),
      ].join('\n'),
    )
    .join('\n\n');
}

export function promotedText(style: string, version: string): string {
  return `${style}: version ${version} is now current. Workers reload it before their next job.`;
}

export function rolledBackText(style: string, version: string): string {
  return `${style}: rolled back; version ${version} is current again.`;
}

export interface QueueStats {
  translate: Record<string, number>;
  train: Record<string, number>;
  workers: number;
  averageJobSeconds: number | undefined;
}

export function queueStatsText(stats: QueueStats): string {
  const counts = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return [
    `Translate queue: ${counts(stats.translate)}`,
    `Train queue: ${counts(stats.train)}`,
    `Translate workers: ${stats.workers}`,
    ...(stats.averageJobSeconds === undefined ? [] : [`Average job: ${stats.averageJobSeconds.toFixed(1)} s`]),
  ].join('\n');
}

export function curatedText(dataset: string, files: readonly string[]): string {
  return `Added to ${dataset}: ${files.join(', ')}`;
}

/** "2024-05-01 12:00 UTC": the same for every admin wherever the bot runs. */
function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(3);
}
