import * as tf from '@tensorflow/tfjs';
import type { Architecture, Batch, Networks, Objective, TrainingContext } from './architecture.js';
import { ImagePools } from './image-pool.js';

export interface AdamSettings {
  lr: number;
  beta1: number;
  /** 0.999 when omitted, as PyTorch's Adam and the reference toolkit. */
  beta2?: number;
}

/** Each objective's scalars after one step: its `total` and every term, as numbers. */
export interface StepLosses {
  generator: Record<string, number>;
  discriminator: Record<string, number>;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Both optimizers' state (Adam's iteration count and moments), for checkpoints. */
export interface OptimizerState {
  generator: NamedTensor[];
  discriminator: NamedTensor[];
}

export interface TrainStep {
  /**
   * One discriminator update, then one generator update, on the same batch. `index` is the
   * run's count of steps before this one; it decides the phase (`init` while below the
   * architecture's `initSteps`: generator update only). Omitted, the step is adversarial.
   */
  step(batch: Batch, index?: number): StepLosses;
  /** Sets both optimizers' learning rate (learning-rate policies change it per epoch). */
  setLearningRate(lr: number): void;
  /**
   * The optimizers' state (empty before the first step). The moment tensors belong to the
   * optimizers; the first entry of each side ('iter', the step count) is new: dispose it.
   */
  optimizerState(): Promise<OptimizerState>;
  /** Restores the optimizers' state saved by `optimizerState` (copies the tensors). */
  restoreOptimizerState(state: OptimizerState): Promise<void>;
  /** Frees the optimizers' moment estimates and the image pools; the networks stay. */
  dispose(): void;
}

export interface TrainStepSettings {
  /**
   * Image pool size (the reference's `pool_size`) for architectures whose discriminators
   * draw fakes through one; 0 (the default) shows them only the current fakes.
   */
  poolSize?: number;
}

/**
 * The shared GAN update of the model zoo: Adam over all discriminators' trainable weights
 * minimising `discriminatorObjective`, then a separate Adam over all generators' trainable
 * weights minimising `generatorObjective` (the reference's optimizer_D / optimizer_G).
 *
 * Unlike the PyTorch reference, which runs the generators once per iteration and reuses
 * `fake.detach()` for the discriminator, each objective here runs its own forward pass, so
 * generators run twice per step (another dropout mask, BatchNorm statistics updated twice).
 * The discriminator step only asks for the discriminators' gradients, which plays the part
 * of `detach()`. An architecture without discriminators gets generator steps only.
 *
 * During the architecture's `initSteps` (the `init` phase) only the generators update. Each
 * optimizer's rate is the run's (`adam.lr`, then `setLearningRate`) times the architecture's
 * `learningRateScales` for the phase.
 *
 * The step owns the run's image pools. They are not part of `optimizerState`, so a
 * checkpoint leaves them out and a resumed run starts with empty pools, as the reference's
 * (which never saves its pools) does.
 */
export function createTrainStep<O extends Record<string, unknown>>(arch: Architecture<O>, nets: Networks, options: O, adam: AdamSettings, settings: TrainStepSettings = {}): TrainStep {
  const imagePools = new ImagePools(settings.poolSize ?? 0);
  const initSteps = arch.initSteps?.(options) ?? 0;
  let context: TrainingContext = { imagePools, phase: 'adversarial' };
  const discriminators = updater(nets.discriminators, (batch) => arch.discriminatorObjective(nets, batch, options, context), adam);
  const generators = updater(nets.generators, (batch) => arch.generatorObjective(nets, batch, options, context), adam);
  let runRate = adam.lr;
  // The run's rate (schedule included) times the architecture's scale for the current phase.
  const applyRates = () => {
    const scales = arch.learningRateScales?.(options, context.phase) ?? { generator: 1, discriminator: 1 };
    discriminators.optimizer?.setLearningRate(runRate * scales.discriminator);
    generators.optimizer?.setLearningRate(runRate * scales.generator);
  };
  applyRates();
  return {
    step(batch, index) {
      const phase = index !== undefined && index < initSteps ? 'init' : 'adversarial';
      if (phase !== context.phase) {
        context = { imagePools, phase };
        applyRates();
      }
      const discriminator = phase === 'init' ? {} : discriminators.run(batch);
      return { discriminator, generator: generators.run(batch) };
    },
    setLearningRate(lr) {
      runRate = lr;
      applyRates();
    },
    optimizerState: async () => ({
      generator: (await generators.optimizer?.getWeights()) ?? [],
      discriminator: (await discriminators.optimizer?.getWeights()) ?? [],
    }),
    async restoreOptimizerState(state) {
      if (state.generator.length) await generators.optimizer?.setWeights(state.generator);
      if (state.discriminator.length) await discriminators.optimizer?.setWeights(state.discriminator);
    },
    dispose() {
      discriminators.dispose();
      generators.dispose();
      imagePools.dispose();
    },
  };
}

interface Updater {
  run(batch: Batch): Record<string, number>;
  optimizer?: AdamWithRate;
  dispose(): void;
}

/**
 * tfjs's Adam keeps its learning rate in a field that its typings mark protected; the
 * optimizer reads it on every step, so writing it is how a schedule changes the rate.
 */
interface AdamWithRate extends tf.AdamOptimizer {
  setLearningRate(lr: number): void;
}

function adamWithRate(adam: AdamSettings): AdamWithRate {
  const optimizer = tf.train.adam(adam.lr, adam.beta1, adam.beta2 ?? 0.999) as AdamWithRate;
  optimizer.setLearningRate = (lr: number) => {
    (optimizer as unknown as { learningRate: number }).learningRate = lr;
  };
  return optimizer;
}

/** An Adam of its own over the models' trainable weights, minimising one objective. */
function updater(models: Record<string, tf.LayersModel>, objective: (batch: Batch) => Objective, adam: AdamSettings): Updater {
  const variables = trainableVariables(Object.values(models));
  if (variables.length === 0) return { run: () => ({}), dispose: () => {} };
  const optimizer = adamWithRate(adam);
  return {
    optimizer,
    run: (batch) => minimise(optimizer, () => objective(batch), variables),
    dispose: () => optimizer.dispose(),
  };
}

/** Distinct trainable variables of the models (a layer shared by two models counts once). */
function trainableVariables(models: tf.LayersModel[]): tf.Variable[] {
  const byId = new Map<number, tf.Variable>();
  for (const model of models) {
    for (const weight of model.trainableWeights) {
      const variable = weight.read() as tf.Variable;
      byId.set(variable.id, variable);
    }
  }
  return [...byId.values()];
}

/** One optimizer step; returns the objective's total and terms as numbers. */
function minimise(optimizer: tf.Optimizer, objective: () => Objective, variables: tf.Variable[]): Record<string, number> {
  let names: string[] = [];
  let packed: tf.Tensor1D | undefined;
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const { total, terms } = objective();
      names = ['total', ...Object.keys(terms)];
      // variableGrads keeps only the returned scalar; keep the terms, packed, for the report.
      packed = tf.keep(tf.stack([total, ...Object.values(terms)]) as tf.Tensor1D);
      return total;
    }, variables);
    optimizer.applyGradients(grads);
  });
  if (!packed) throw new Error('objective did not run');
  const values = packed.dataSync();
  packed.dispose();
  return Object.fromEntries(names.map((name, i) => [name, values[i]!]));
}
