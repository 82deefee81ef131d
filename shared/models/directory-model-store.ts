import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { z } from 'zod';
import { modelMetaSchema, type ModelMeta } from './model-meta.js';
import { readModelDirectory } from './read-model-directory.js';
import { ModelStoreError, type ModelStore, type ModelVersionInfo, type StoredModel } from './model-store.js';

const pointerSchema = z.object({ current: z.string(), history: z.array(z.string()) });
type Pointer = z.infer<typeof pointerSchema>;

const weightsFile = 'weights.bin';
const onnxFile = 'model.onnx';

/**
 * Layout: `<root>/<style>/<version>/{model.json,weights.bin,meta.json}` (and `model.onnx`, its ONNX export, when it has one) and
 * `<root>/<style>/current.json` ({ current, history }). A version is written into a temp
 * directory and renamed into place; the pointer is written to a temp file and renamed.
 */
export class DirectoryModelStore implements ModelStore {
  constructor(readonly root: string) {}

  async styles(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const styles: string[] = [];
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.') && (await this.listVersionDirs(e.name)).length) styles.push(e.name);
    }
    return styles.sort();
  }

  async versions(style: string): Promise<ModelVersionInfo[]> {
    const current = await this.current(style);
    const metas = await Promise.all((await this.listVersionDirs(style)).map((v) => this.readMeta(style, v)));
    return metas
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((meta) => ({ meta, current: meta.version === current }));
  }

  async current(style: string): Promise<string | undefined> {
    return (await this.readPointer(style))?.current;
  }

  async load(style: string, version: string): Promise<StoredModel> {
    const meta = await this.readMeta(style, version);
    const { artifacts } = await readModelDirectory(this.versionDir(style, version));
    return { meta, artifacts };
  }

  async save(
    artifacts: io.ModelArtifacts,
    input: Parameters<ModelStore['save']>[1],
    onnx?: Uint8Array,
  ): Promise<ModelMeta> {
    const version = input.version ?? newVersionName();
    const meta = modelMetaSchema.parse({ ...input, version, createdAt: new Date().toISOString() });
    const styleDir = path.join(this.root, meta.style);
    const finalDir = path.join(styleDir, version);
    const tmpDir = path.join(styleDir, `.tmp-${version}-${randomBytes(4).toString('hex')}`);
    await mkdir(tmpDir, { recursive: true });
    try {
      const weightData = artifacts.weightData;
      if (!weightData || Array.isArray(weightData)) throw new ModelStoreError('expected one weight buffer');
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(path.join(tmpDir, 'model.json'), JSON.stringify(modelJson));
      await writeFile(path.join(tmpDir, weightsFile), Buffer.from(weightData));
      if (onnx) await writeFile(path.join(tmpDir, onnxFile), onnx);
      await writeFile(path.join(tmpDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
      await rename(tmpDir, finalDir).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'ENOTEMPTY' || err.code === 'EEXIST'
          ? new ModelStoreError(`${meta.style} already has a version "${version}"`)
          : err;
      });
    } catch (err) {
      await rm(tmpDir, { recursive: true, force: true });
      throw err;
    }
    return meta;
  }

  async loadOnnx(style: string, version: string): Promise<Uint8Array | undefined> {
    await this.readMeta(style, version);
    return readFile(path.join(this.versionDir(style, version), onnxFile)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }

  async saveOnnx(style: string, version: string, onnx: Uint8Array): Promise<void> {
    await this.readMeta(style, version);
    await atomicWrite(path.join(this.versionDir(style, version), onnxFile), onnx);
  }

  async promote(style: string, version: string): Promise<void> {
    await this.readMeta(style, version);
    const pointer = await this.readPointer(style);
    if (pointer?.current === version) return;
    const history = [...(pointer?.history ?? []), ...(pointer ? [pointer.current] : [])].slice(-20);
    await this.writePointer(style, { current: version, history });
    await this.setStatus(style, version, 'promoted');
  }

  async rollback(style: string): Promise<string> {
    const pointer = await this.readPointer(style);
    const previous = pointer?.history.at(-1);
    if (!pointer || !previous) throw new ModelStoreError(`style ${style} has no earlier version to roll back to`);
    await this.writePointer(style, { current: previous, history: pointer.history.slice(0, -1) });
    return previous;
  }

  async updateMetrics(style: string, version: string, metrics: Record<string, number>): Promise<void> {
    const meta = await this.readMeta(style, version);
    await this.writeMeta({ ...meta, metrics: { ...meta.metrics, ...metrics } });
  }

  async setInputMultiple(style: string, version: string, inputMultiple: number | null): Promise<void> {
    const meta = await this.readMeta(style, version);
    await this.writeMeta({ ...meta, inputMultiple });
  }

  private async setStatus(style: string, version: string, status: ModelMeta['status']): Promise<void> {
    const meta = await this.readMeta(style, version);
    if (meta.status !== status) await this.writeMeta({ ...meta, status });
  }

  private async writeMeta(meta: ModelMeta): Promise<void> {
    await atomicWrite(path.join(this.versionDir(meta.style, meta.version), 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  }

  private versionDir(style: string, version: string): string {
    if (!/^[a-z0-9-]+$/.test(style) || !/^[\w.-]+$/.test(version) || version.startsWith('.')) {
      throw new ModelStoreError(`"${style}" and "${version}" are not a style and a version name (letters, digits, ".", "_", "-")`);
    }
    return path.join(this.root, style, version);
  }

  private async listVersionDirs(style: string): Promise<string[]> {
    const entries = await readdir(path.join(this.root, style), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  }

  private async readMeta(style: string, version: string): Promise<ModelMeta> {
    const file = path.join(this.versionDir(style, version), 'meta.json');
    const text = await readFile(file, 'utf8').catch(() => {
      throw new ModelStoreError(`${style} has no version "${version}" (the model list shows its versions)`);
    });
    return modelMetaSchema.parse(JSON.parse(text));
  }

  private async readPointer(style: string): Promise<Pointer | undefined> {
    const text = await readFile(path.join(this.root, style, 'current.json'), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : pointerSchema.parse(JSON.parse(text));
  }

  private async writePointer(style: string, pointer: Pointer): Promise<void> {
    await atomicWrite(path.join(this.root, style, 'current.json'), JSON.stringify(pointer, null, 2) + '\n');
  }
}

async function atomicWrite(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

function newVersionName(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
