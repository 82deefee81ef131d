import { mkdir } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../shared/logger.js';
import { getArchitecture } from '../../gan/index.js';
import type { Architecture, Networks } from '../../gan/architecture.js';
import { createTrainStep } from '../../gan/train-step.js';
import { disposeBatch, openDataset } from '../data/loader.js';
import type { LossPoint } from '../reports/loss-curve.js';
import { TrainingCancelled } from './cancelled.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { learningRateAt } from './lr-schedule.js';
import { seedMathRandom } from './seeded-math-random.js';
import { poolSizeFor, trainOptionsSchema, type TrainOptions, type TrainOptionsInput } from './train-options.js';

export interface TrainProgressEvent {
  step: number;
  totalSteps: number;
  epoch: number;
  losses: Record<string, number>;
  stepsPerSecond: number;
}

export interface TrainRunRequest {
  architecture: string;
  datasetDir: string;
  /** Where checkpoints live; a run started again on the same directory resumes. */
  runDir: string;
  options: TrainOptionsInput;
  logger: Logger;
  onProgress?: (p: TrainProgressEvent) => void | Promise<void>;
  /** Asked between steps; true stops the run after a checkpoint (TrainingCancelled). */
  shouldStop?: (() => boolean | Promise<boolean>) | undefined;
}

export interface TrainedRun {
  arch: Architecture;
  archOptions: Record<string, unknown>;
  options: TrainOptions;
  nets: Networks;
  /** The generator to serve, at `serve_size` when set (weights copied), owned by the caller. */
  served: tf.LayersModel;
  servedSize: number;
  history: LossPoint[];
  steps: number;
  seconds: number;
  resumedFrom?: number | undefined;
  dispose(): void;
}

/**
 * Trains one architecture on one dataset with the shared GAN step: reference-toolkit
 * options, learning-rate policy per epoch, checkpoints every N steps and on cancel, resume
 * from the run directory's checkpoint, fixed seeds.
 */
export async function trainRun(request: TrainRunRequest): Promise<TrainedRun> {
  const parsed = trainOptionsSchema.parse(request.options);
  seedMathRandom(parsed.seed);
  const arch = getArchitecture(request.architecture);
  // Resolved here so that reports record the pool size the run used.
  const poolSize = poolSizeFor(arch, parsed);
  const options: TrainOptions = { ...parsed, pool_size: poolSize };
  const archOptions = arch.options.parse({
    ...options.arch,
    imageSize: options.crop_size,
    ...(options.gan_mode ? { ganMode: options.gan_mode } : {}),
  });
  await mkdir(request.runDir, { recursive: true });
  const nets = arch.build(archOptions);
  const trainStep = createTrainStep(arch, nets, archOptions, { lr: options.lr, beta1: options.beta1 }, { poolSize });
  const disposeNets = () => {
    trainStep.dispose();
    for (const m of [...Object.values(nets.generators), ...Object.values(nets.discriminators)]) m.dispose();
  };
  try {
    const resumed = await loadCheckpoint(request.runDir, nets, trainStep);
    if (resumed) request.logger.info({ step: resumed.step, epoch: resumed.epoch }, `resuming from checkpoint at step ${resumed.step}`);
    const dataset = await openDataset(request.datasetDir, {
      split: 'train',
      batchSize: options.batch_size,
      preprocess: options.preprocess,
      loadSize: options.load_size,
      cropSize: options.crop_size,
      noFlip: options.no_flip,
      seed: options.seed,
    });
    const epochs = options.n_epochs + options.n_epochs_decay;
    const plannedSteps = epochs * dataset.batchesPerEpoch;
    const totalSteps = options.max_steps ? Math.min(options.max_steps, plannedSteps) : plannedSteps;
    const history: LossPoint[] = [...(resumed?.history ?? [])];
    let step = resumed?.step ?? 0;
    let epoch = resumed?.epoch ?? 1;
    let skip = resumed?.batchInEpoch ?? 0;
    const started = performance.now();
    const stepsAtStart = step;
    let window: Record<string, number>[] = [];

    const checkpoint = (batchInEpoch: number) => saveCheckpoint(request.runDir, nets, trainStep, { step, epoch, batchInEpoch, history });

    for (; epoch <= epochs && step < totalSteps; epoch++, skip = 0) {
      trainStep.setLearningRate(learningRateAt(epoch, options));
      let batchInEpoch = 0;
      for await (const batch of dataset.batches(epoch)) {
        if (batchInEpoch++ < skip || step >= totalSteps) {
          disposeBatch(batch);
          continue;
        }
        let losses;
        try {
          losses = trainStep.step(batch, step);
        } finally {
          disposeBatch(batch);
        }
        step++;
        window.push({ ...prefix('G', losses.generator), ...prefix('D', losses.discriminator) });
        if (step % options.log_every === 0 || step === totalSteps) {
          const averaged = average(window);
          window = [];
          history.push({ step, losses: averaged });
          const stepsPerSecond = (step - stepsAtStart) / ((performance.now() - started) / 1000);
          await request.onProgress?.({ step, totalSteps, epoch, losses: averaged, stepsPerSecond });
        }
        if (step % options.checkpoint_every === 0) await checkpoint(batchInEpoch);
        if (await request.shouldStop?.()) {
          await checkpoint(batchInEpoch);
          throw new TrainingCancelled(step);
        }
      }
    }
    await checkpoint(0);
    const servedSize = options.serve_size ?? arch.inputSize(archOptions);
    const served = servedGenerator(arch, archOptions, nets, servedSize);
    const seconds = (performance.now() - started) / 1000;
    return {
      arch,
      archOptions,
      options,
      nets,
      served,
      servedSize,
      history,
      steps: step,
      seconds,
      resumedFrom: resumed?.step,
      dispose() {
        if (served !== nets.generators[arch.served]) served.dispose();
        disposeNets();
      },
    };
  } catch (err) {
    disposeNets();
    throw err;
  }
}

/**
 * The generator to serve. Convolutional generators work at any size that is a multiple of
 * their downsampling; serving at a larger size than the training crops rebuilds the
 * generator at that size and copies the weights (their shapes do not depend on the size).
 */
function servedGenerator(arch: Architecture, archOptions: Record<string, unknown>, nets: Networks, size: number): tf.LayersModel {
  const trained = nets.generators[arch.served];
  if (!trained) throw new Error(`${arch.name} has no generator ${arch.served}`);
  if (size === arch.inputSize(archOptions)) return trained;
  const rebuilt = arch.build(arch.options.parse({ ...archOptions, imageSize: size }));
  const served = rebuilt.generators[arch.served]!;
  for (const [kind, models] of Object.entries(rebuilt) as [keyof Networks, Record<string, tf.LayersModel>][]) {
    for (const [name, model] of Object.entries(models)) if (!(kind === 'generators' && name === arch.served)) model.dispose();
  }
  const weights = trained.getWeights();
  const mismatch = served.weights.find((w, i) => w.shape.join() !== weights[i]?.shape.join());
  if (mismatch) {
    served.dispose();
    throw new Error(`${arch.name} cannot be served at ${size}px: weight ${mismatch.name} depends on the image size`);
  }
  served.setWeights(weights);
  return served;
}

function prefix(p: string, losses: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(losses).map(([k, v]) => [`${p}_${k}`, v]));
}

function average(rows: Record<string, number>[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const row of rows) for (const [k, v] of Object.entries(row)) sums[k] = (sums[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / rows.length]));
}
