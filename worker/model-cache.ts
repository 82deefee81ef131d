import * as tf from '@tensorflow/tfjs';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import { loadLayersModel, resolveInputMultiple, type LoadedLayersModel } from '../shared/models/layers-model-io.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import type { ModelStore } from '../shared/models/model-store.js';
import { createOnnxModel, type OnnxModel } from '../shared/models/onnx-session.js';
import type { TfRuntime } from '../shared/tf/runtime.js';

/** A served model: fully convolutional ones (`inputMultiple` set) run at each photo's own resolution. */
export interface LoadedModel {
  meta: ModelMeta;
  inputMultiple: number | undefined;
  /** What runs it (ONNX Runtime or the tfjs backend), for logs, metrics and job results. */
  runtime: string;
  /** The generator's output for an NHWC batch in `meta.valueRange`; the caller disposes both tensors. */
  predict(batch: tf.Tensor4D): Promise<tf.Tensor4D>;
  dispose(): void;
}

/** A tfjs LayersModel as a served model. */
export function tfjsServedModel({ model, meta, inputMultiple }: LoadedLayersModel, runtime: string): LoadedModel {
  return {
    meta,
    inputMultiple,
    runtime,
    predict: async (batch) => tf.tidy(() => model.predict(batch) as tf.Tensor4D),
    dispose: () => model.dispose(),
  };
}

/**
 * Which runtime serves a version (from `TF_BACKEND`): `auto` serves versions with a
 * `model.onnx` by ONNX Runtime and the others by tfjs; `onnx` serves only by ONNX Runtime (a
 * version without one fails to load); a tfjs backend's name serves everything by that backend.
 */
export interface ServingOptions {
  onnx: 'prefer' | 'require' | 'off';
  /** ONNX Runtime's intra-op threads. */
  threads: number;
  /** The tfjs runtime's description (e.g. "tfjs-backend-wasm+simd 4.22.0 (2 threads)"). */
  tfjs: string;
}

export function servingOptions(config: Pick<Config, 'TF_BACKEND'>, runtime: TfRuntime): ServingOptions {
  const onnx = config.TF_BACKEND === 'auto' ? 'prefer' : config.TF_BACKEND === 'onnx' ? 'require' : 'off';
  return { onnx, threads: runtime.threads, tfjs: runtime.description };
}

export interface ModelCacheEvents {
  onLoaded?(loaded: LoadedModel, seconds: number): void;
}

/**
 * Current model per style, loaded lazily and warmed up once. Every acquire checks the
 * store's current pointer (a small file read), so a promotion or rollback takes effect on the
 * next job even if the Redis announcement was missed; `refresh` loads eagerly on an
 * announcement.
 */
export class ModelCache {
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly loading = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly store: ModelStore,
    private readonly logger: Logger,
    private readonly serving: ServingOptions,
    private readonly events: ModelCacheEvents = {},
  ) {}

  /** Styles that have a current version. */
  async installedStyles(): Promise<string[]> {
    const styles = await this.store.styles();
    const withCurrent = await Promise.all(styles.map(async (s) => ((await this.store.current(s)) ? s : undefined)));
    return withCurrent.filter((s): s is string => s !== undefined);
  }

  async acquire(style: string): Promise<LoadedModel> {
    const version = await this.store.current(style);
    if (!version) throw new Error(`style ${style} has no current model`);
    const cached = this.loaded.get(style);
    if (cached?.meta.version === version) return cached;
    return this.load(style, version);
  }

  async refresh(style: string): Promise<void> {
    await this.acquire(style);
  }

  dispose(): void {
    for (const loaded of this.loaded.values()) loaded.dispose();
    this.loaded.clear();
  }

  private load(style: string, version: string): Promise<LoadedModel> {
    const key = `${style}/${version}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadAndWarm(style, version).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  private async loadAndWarm(style: string, version: string): Promise<LoadedModel> {
    const started = performance.now();
    const loaded = await this.open(style, version);
    const { meta } = loaded;
    // The first run compiles kernels and allocates buffers; pay it at load, not on a user's job.
    const warmUp = tf.zeros([1, meta.inputSize, meta.inputSize, 3]) as tf.Tensor4D;
    try {
      (await loaded.predict(warmUp)).dispose();
    } catch (err) {
      loaded.dispose();
      throw err;
    } finally {
      warmUp.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const previous = this.loaded.get(style);
    this.loaded.set(style, loaded);
    previous?.dispose();
    this.events.onLoaded?.(loaded, seconds);
    this.logger.info(
      { style, version, architecture: meta.architecture, runtime: loaded.runtime, inputMultiple: loaded.inputMultiple ?? null, seconds: +seconds.toFixed(2) },
      `model ${style}/${version} loaded on ${loaded.runtime} (${loaded.inputMultiple ? `native resolution, sides multiples of ${loaded.inputMultiple}` : `letterboxed to ${meta.inputSize} px`})`,
    );
    return loaded;
  }

  /** ONNX Runtime when the version has a `model.onnx` and serving allows it, else tfjs. */
  private async open(style: string, version: string): Promise<LoadedModel> {
    const onnx = this.serving.onnx === 'off' ? undefined : await this.store.loadOnnx(style, version);
    if (!onnx) {
      if (this.serving.onnx === 'require') {
        throw new Error(`${style}/${version} has no model.onnx and TF_BACKEND=onnx serves only by ONNX Runtime (npm run cli -- models export ${style} ${version})`);
      }
      return tfjsServedModel(await loadLayersModel(this.store, style, version), this.serving.tfjs);
    }
    const { meta } = await this.store.load(style, version);
    let model: OnnxModel;
    try {
      model = await createOnnxModel(onnx, this.serving.threads);
    } catch (err) {
      if (this.serving.onnx === 'require') throw err;
      this.logger.warn({ err, style, version }, `ONNX Runtime cannot open ${style}/${version}'s model.onnx; serving it by tfjs`);
      return tfjsServedModel(await loadLayersModel(this.store, style, version), this.serving.tfjs);
    }
    // A replaced version may still be running a batch: its session is released after that batch.
    let running = 0;
    let disposed = false;
    const releaseWhenIdle = () => {
      if (disposed && running === 0) model.release().catch((err: Error) => this.logger.warn({ err, style, version }, 'releasing an ONNX session failed'));
    };
    return {
      meta,
      inputMultiple: resolveInputMultiple(meta),
      runtime: model.description,
      async predict(batch) {
        const [n, h, w, c] = batch.shape;
        running++;
        try {
          const { data, dims } = await model.run((await batch.data()) as Float32Array, [n, h, w, c]);
          return tf.tensor4d(data, dims as [number, number, number, number]);
        } finally {
          running--;
          releaseWhenIdle();
        }
      },
      dispose: () => {
        disposed = true;
        releaseWhenIdle();
      },
    };
  }
}
