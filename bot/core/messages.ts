import type { ModelVersionInfo } from '../../shared/models/model-store.js';
import type { TrainJob, TrainProgress, TrainResult, TranslateProgress, TranslateResult } from '../../shared/queue/contracts.js';
import { styleLabel } from '../../shared/styles.js';
import { commandCatalogue } from './command-catalogue.js';
import type { WaitEstimate } from './wait-estimate.js';

/**
 * Every text the bots show, written once for all platforms (plain text: no markup to
 * escape). Platforms add only their own framing (mentions, command prefixes).
 */

export function queuedText({ position, etaSeconds }: WaitEstimate): string {
  return etaSeconds === undefined
    ? `Queued — position ${position} (waiting for a worker to start)`
    : `Queued — position ${position} (about ${etaSeconds} s)`;
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
  return result.requestedStyle ? `${label} (${styleLabel(result.requestedStyle)} has no model yet, so this is ${label})` : label;
}

export function failedText(message: string): string {
  return `Failed — ${message}`;
}

export function introText(botName: string): string {
  return `Hi! I am ${botName}. Send me a photo and I send it back drawn in another style. Put a style name in the caption (for example "toon") to choose one; /styles lists them and /help shows everything I can do.`;
}

export function helpText(isAdmin: boolean, commandPrefix = '/'): string {
  const line = (c: (typeof commandCatalogue)[number]) => `${commandPrefix}${c.name}${c.args ? ` ${c.args}` : ''} — ${c.description}`;
  const user = commandCatalogue.filter((c) => !c.adminOnly).map(line);
  const admin = commandCatalogue.filter((c) => c.adminOnly).map(line);
  return [
    'Send a photo (or an image as a file, for full resolution) and get it back styled. A caption with a style name picks the style.',
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
export type PendingState =
  | { state: 'waiting'; estimate: WaitEstimate }
  | { state: 'running'; progress: TranslateProgress | undefined }
  | { state: 'finishing' };

export interface QueueCounts {
  waiting: number;
  active: number;
  workers: number;
}

export function statusText(requests: readonly { style: string | undefined; state: PendingState }[], queue: QueueCounts): string {
  const queueLine = `Queue: ${queue.waiting} waiting, ${queue.active} running, ${queue.workers} worker${queue.workers === 1 ? '' : 's'}.`;
  if (!requests.length) return `You have no requests in progress.\n${queueLine}`;
  const describe = (s: PendingState) =>
    s.state === 'waiting'
      ? queuedText(s.estimate)
      : s.state === 'running'
        ? s.progress
          ? progressText(s.progress)
          : 'Running'
        : 'Sending the result';
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

export function trainQueuedText(job: Pick<TrainJob, 'kind' | 'style' | 'dataset'>): string {
  const what = job.kind === 'train' ? `Training ${job.style}${job.dataset ? ` on ${job.dataset}` : ''}` : `Evaluating ${job.style}`;
  return `${what}: queued.`;
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
  const losses = p.losses ? ` — ${Object.entries(p.losses).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}` : '';
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

export function modelsText(styles: readonly { style: string; versions: readonly ModelVersionInfo[] }[]): string {
  if (!styles.length) return 'No models are stored yet.';
  return styles
    .map(({ style, versions }) =>
      [
        `${style} (${styleLabel(style)}):`,
        ...versions.map(({ meta, current }) => {
          const metrics = Object.entries(meta.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ');
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
  const counts = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
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

function formatNumber(v: number): string {
  return Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v * 100) / 100) : v.toPrecision(3);
}
