import type { io } from '@tensorflow/tfjs';
import type { ModelMeta, ModelMetaInput } from './model-meta.js';

export interface StoredModel {
  meta: ModelMeta;
  artifacts: io.ModelArtifacts;
}

export interface ModelVersionInfo {
  meta: ModelMeta;
  current: boolean;
}

/**
 * Styles with versions and a current version per style. Writes are atomic: a reader sees a
 * whole version or none. The default implementation is a directory (`DirectoryModelStore`);
 * workers on other machines share it as a volume, and promotions are announced through Redis
 * (`ModelAnnouncer`).
 */
export interface ModelStore {
  styles(): Promise<string[]>;
  versions(style: string): Promise<ModelVersionInfo[]>;
  /** The current version of a style, or undefined when none is promoted. */
  current(style: string): Promise<string | undefined>;
  load(style: string, version: string): Promise<StoredModel>;
  /** Saves a new version (not current until promoted), with its ONNX export when given, and returns its meta. */
  save(artifacts: io.ModelArtifacts, meta: Omit<ModelMetaInput, 'version' | 'createdAt'> & { version?: string }, onnx?: Uint8Array): Promise<ModelMeta>;
  /** The version's `model.onnx`, or undefined when it has none (ONNX Runtime cannot serve it). */
  loadOnnx(style: string, version: string): Promise<Uint8Array | undefined>;
  /** Writes (or replaces) an existing version's `model.onnx`, atomically. */
  saveOnnx(style: string, version: string, onnx: Uint8Array): Promise<void>;
  /** Makes a version current. */
  promote(style: string, version: string): Promise<void>;
  /** Makes the previously current version current again; returns it. */
  rollback(style: string): Promise<string>;
  /** Updates a stored version's metrics (after an evaluation). */
  updateMetrics(style: string, version: string, metrics: Record<string, number>): Promise<void>;
  /** Records a stored version's `inputMultiple` (for versions saved before the field). */
  setInputMultiple(style: string, version: string, inputMultiple: number | null): Promise<void>;
}

export class ModelStoreError extends Error {
  override readonly name = 'ModelStoreError';
}
