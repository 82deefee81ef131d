import path from 'node:path';
import { saveGenerator } from '../gan/save-generator.js';
import type { Logger } from '../shared/logger.js';
import { loadLayersModel } from '../shared/models/layers-model-io.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { SCHEMA_VERSION, type TrainProgress, type TrainResult } from '../shared/queue/contracts.js';
import { openDataset } from './data/loader.js';
import { evaluateGenerator, type GeneratorEvaluation } from './eval/evaluate-generator.js';
import { loadFeatureNetworks, type FeatureWeightsSettings } from './feature-networks.js';
import { decidePromotion } from './promotion.js';
import { writeRunReport } from './reports/run-report.js';
import { styleProfile, type StyleProfile } from './style-profiles.js';
import { trainRun } from './training/train-run.js';
import type { TrainOptionsInput } from './training/train-options.js';

export interface TrainingJobRequest {
  kind: 'train' | 'eval';
  style: string;
  architecture?: string;
  dataset?: string;
  options?: TrainOptionsInput;
  /** Also the run's directory name: a job retried after a crash resumes its checkpoint. */
  runId: string;
  dataDir: string;
  runsDir: string;
  store: ModelStore;
  logger: Logger;
  /** Converted weights for the feature networks (the settings); unset ones use the random stand-ins. */
  featureWeights?: FeatureWeightsSettings;
  /** Called after a promotion so running workers reload (Redis announcement). */
  onPromoted?: (style: string, version: string) => Promise<void>;
  onProgress?: (p: TrainProgress) => void | Promise<void>;
  shouldStop?: () => boolean | Promise<boolean>;
}

export class UnknownStyleProfileError extends Error {
  override readonly name = 'UnknownStyleProfileError';
}

/**
 * A training job: train a candidate, evaluate it and the current model on the held-out
 * split, promote the candidate only if it is better on the style's primary metric, write
 * the run's report. An eval job evaluates the current model alone.
 */
export async function runTrainingJob(req: TrainingJobRequest): Promise<TrainResult> {
  const profile = resolveProfile(req);
  const datasetDir = path.join(req.dataDir, profile.dataset);
  const runDir = path.join(req.runsDir, req.runId);
  const progress = (p: TrainProgress) => req.onProgress?.(p);
  await progress({ phase: 'preparing', percent: 0 });
  const featureNetworks = await loadFeatureNetworks(req.featureWeights ?? {});
  const { extractor } = featureNetworks;
  try {
    const currentVersion = await req.store.current(req.style);
    const current = currentVersion ? await evaluateStored(req.store, req.style, currentVersion, datasetDir, extractor) : undefined;

    if (req.kind === 'eval') {
      if (!current || !currentVersion) throw new UnknownStyleProfileError(`style ${req.style} has no current model to evaluate`);
      await req.store.updateMetrics(req.style, currentVersion, current.evaluation.metrics);
      const report = await writeRunReport({
        dir: runDir,
        title: `${req.style}: evaluation of ${currentVersion}`,
        subtitle: `${current.meta.architecture}, held-out ${current.evaluation.images} images, FID/KID features: ${current.evaluation.featureExtractor}`,
        verdict: `current model ${currentVersion}`,
        metricsJson: { style: req.style, version: currentVersion, metrics: current.evaluation.metrics, featureExtractor: current.evaluation.featureExtractor },
        current: current.evaluation,
        primary: profile.primaryMetric,
        history: [],
      });
      await progress({ phase: 'done', percent: 100 });
      return { v: SCHEMA_VERSION, runId: req.runId, style: req.style, version: currentVersion, promoted: false, metrics: current.evaluation.metrics, summaryImage: report.summaryFile };
    }

    const trained = await trainRun({
      architecture: profile.architecture,
      datasetDir,
      runDir,
      options: profile.options,
      logger: req.logger,
      shouldStop: req.shouldStop,
      onProgress: (p) => progress({ phase: 'training', percent: Math.min(90, (p.step / p.totalSteps) * 90), step: p.step, totalSteps: p.totalSteps, losses: p.losses }),
    });
    try {
      await progress({ phase: 'evaluating', percent: 90 });
      const heldOut = await openHeldOut(datasetDir, trained.servedSize);
      const candidate = await evaluateGenerator(trained.served, heldOut, extractor);
      const meta = await saveGenerator(req.store, trained.served, {
        style: req.style,
        architecture: trained.arch.name,
        options: { ...trained.archOptions, imageSize: trained.servedSize },
        inputSize: trained.servedSize,
        metrics: candidate.metrics,
        primaryMetric: profile.primaryMetric,
        data: { dataset: profile.dataset, format: heldOut.manifest.format, counts: heldOut.manifest.counts, trainSteps: trained.steps, trainSeconds: Math.round(trained.seconds) },
      });
      await progress({ phase: 'promoting', percent: 95 });
      const decision = decidePromotion(candidate.metrics, current?.evaluation.metrics, profile.primaryMetric);
      if (decision.promote) {
        await req.store.promote(req.style, meta.version);
        await req.onPromoted?.(req.style, meta.version);
      }
      req.logger.info({ style: req.style, version: meta.version, promoted: decision.promote, reason: decision.reason }, 'training run finished');
      const report = await writeRunReport({
        dir: runDir,
        title: `${req.style}: ${meta.version} ${decision.promote ? 'promoted' : 'kept as candidate'}`,
        subtitle: `${trained.arch.name}, ${trained.steps} steps in ${Math.round(trained.seconds)} s, held-out ${candidate.images} images, FID/KID features: ${candidate.featureExtractor}`,
        verdict: decision.reason,
        metricsJson: {
          style: req.style,
          version: meta.version,
          promoted: decision.promote,
          reason: decision.reason,
          architecture: trained.arch.name,
          options: trained.options,
          steps: trained.steps,
          seconds: trained.seconds,
          featureExtractor: candidate.featureExtractor,
          candidate: candidate.metrics,
          ...(current ? { current: { version: currentVersion, metrics: current.evaluation.metrics } } : {}),
        },
        candidate,
        current: current?.evaluation,
        primary: profile.primaryMetric,
        history: trained.history,
      });
      await progress({ phase: 'done', percent: 100 });
      return {
        v: SCHEMA_VERSION,
        runId: req.runId,
        style: req.style,
        version: meta.version,
        promoted: decision.promote,
        metrics: candidate.metrics,
        currentMetrics: current?.evaluation.metrics,
        resumedFromStep: trained.resumedFrom,
        summaryImage: report.summaryFile,
      };
    } finally {
      trained.dispose();
    }
  } finally {
    featureNetworks.dispose();
  }
}

function resolveProfile(req: TrainingJobRequest): StyleProfile {
  const base = styleProfile(req.style);
  const architecture = req.architecture ?? base?.architecture;
  if (!architecture) throw new UnknownStyleProfileError(`style ${req.style} has no training profile; name an architecture and a dataset`);
  return {
    dataset: req.dataset ?? base?.dataset ?? req.style,
    architecture,
    options: {
      ...(base?.architecture === architecture ? base.options : {}),
      ...req.options,
      arch: { ...(base?.architecture === architecture ? base.options.arch : {}), ...req.options?.arch },
    },
    primaryMetric: base?.primaryMetric ?? { name: 'ssim', higherIsBetter: true },
  };
}

function openHeldOut(datasetDir: string, size: number) {
  return openDataset(datasetDir, { split: 'test', batchSize: 4, preprocess: 'resize_and_crop', loadSize: size, cropSize: size, noFlip: true, prefetch: 1 });
}

async function evaluateStored(
  store: ModelStore,
  style: string,
  version: string,
  datasetDir: string,
  extractor: Parameters<typeof evaluateGenerator>[2],
): Promise<{ meta: ModelMeta; evaluation: GeneratorEvaluation }> {
  const { model, meta } = await loadLayersModel(store, style, version);
  try {
    return { meta, evaluation: await evaluateGenerator(model, await openHeldOut(datasetDir, meta.inputSize), extractor) };
  } finally {
    model.dispose();
  }
}
