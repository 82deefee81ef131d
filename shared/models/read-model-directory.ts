import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

const modelJsonSchema = z.looseObject({
  format: z.string().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.record(z.string(), z.unknown())) })),
  signature: z.record(z.string(), z.unknown()).optional(),
  modelInitializer: z.record(z.string(), z.unknown()).optional(),
  initializerSignature: z.record(z.string(), z.unknown()).optional(),
});

/**
 * A converted tfjs model (`tensorflowjs_converter` output: `model.json` and its weight shards,
 * layers or graph format) read from a directory into memory, for `tf.io.fromMemory`; the
 * Node build of tfjs without tfjs-node has no file:// loader. `format` is model.json's
 * ("layers-model" or "graph-model").
 */
export async function readModelDirectory(dir: string): Promise<{ format: string | undefined; artifacts: tf.io.ModelArtifacts }> {
  const file = path.join(dir, 'model.json');
  const parsed = modelJsonSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a tfjs model.json: ${parsed.error.message}`);
  const json = parsed.data;
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths.map((shard) => readFile(path.join(dir, shard)))));
  const weightData = new Uint8Array(shards.reduce((n, shard) => n + shard.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return {
    format: json.format,
    artifacts: {
      ...(json.format !== undefined ? { format: json.format } : {}),
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights) as unknown as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer,
      ...(json.signature ? { signature: json.signature } : {}),
      ...(json.modelInitializer ? { modelInitializer: json.modelInitializer } : {}),
      ...(json.initializerSignature ? { initializerSignature: json.initializerSignature } : {}),
    },
  };
}
