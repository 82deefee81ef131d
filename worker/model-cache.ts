import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../shared/logger.js';
import { loadLayersModel, type LoadedLayersModel } from '../shared/models/layers-model-io.js';
import type { ModelMeta } from '../shared/models/model-meta.js';
import type { ModelStore } from '../shared/models/model-store.js';

/** A served model: fully convolutional ones (`inputMultiple` set) run at each photo's own resolution. */
export type LoadedModel = LoadedLayersModel;

export interface ModelCacheEvents {
  onLoaded?(meta: ModelMeta, seconds: number): void;
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
    for (const { model } of this.loaded.values()) model.dispose();
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
    const loaded = await loadLayersModel(this.store, style, version);
    const { model, meta } = loaded;
    // The first run compiles kernels and allocates buffers; pay it at load, not on a user's job.
    tf.tidy(() => {
      model.predict(tf.zeros([1, meta.inputSize, meta.inputSize, 3]));
    });
    const seconds = (performance.now() - started) / 1000;
    const previous = this.loaded.get(style);
    this.loaded.set(style, loaded);
    previous?.model.dispose();
    this.events.onLoaded?.(meta, seconds);
    this.logger.info(
      { style, version, architecture: meta.architecture, inputMultiple: loaded.inputMultiple ?? null, seconds: +seconds.toFixed(2) },
      `model ${style}/${version} loaded (${loaded.inputMultiple ? `native resolution, sides multiples of ${loaded.inputMultiple}` : `letterboxed to ${meta.inputSize} px`})`,
    );
    return loaded;
  }
}
