import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { ImageFeatureExtractor } from './feature-sets.js';
import { readModelDirectory } from '../../shared/models/read-model-directory.js';

export const inceptionOptionsSchema = z.object({
  /** Side the images are resized to (bilinear, as pytorch-fid): InceptionV3's 299. */
  inputSize: z.number().int().positive().default(299),
  /** Width of the pool3 features: 2048 for InceptionV3. */
  dims: z.number().int().positive().default(2048),
  /** Name recorded with every score; defaults to `inception-v3-pool3(<dir basename>)`. */
  name: z.string().min(1).optional(),
});
export type InceptionOptions = z.input<typeof inceptionOptionsSchema>;

/**
 * InceptionV3's pool3 features (the 2048-d global average pool before the classifier, the
 * FID/KID embedding) from converted tfjs weights in `dir`: either a layers model, e.g.
 * `tf.keras.applications.InceptionV3(include_top=False, pooling='avg')` through
 * `tensorflowjs_converter --input_format=keras`, or a graph model (a TF SavedModel / TF-Hub
 * module through `--input_format=tf_saved_model`). A model that ends before the pooling
 * ([N, 8, 8, 2048]) is pooled here.
 *
 * Input: our [-1, 1] images resized to 299×299, which is what Keras' `inception_v3.
 * preprocess_input` and pytorch-fid's FID Inception expect. Only the TF-FID weights
 * (pt_inception-2015-12-05, as pytorch-fid ships) give numbers comparable to published FIDs;
 * Keras' ImageNet InceptionV3 gives similar but not identical scores — name it accordingly.
 */
export async function loadInceptionFeatureExtractor(dir: string, options: InceptionOptions = {}): Promise<ImageFeatureExtractor & { dispose(): void }> {
  const { inputSize, dims, name } = inceptionOptionsSchema.parse(options);
  const { format, artifacts } = await readModelDirectory(dir);
  const model = format === 'graph-model' ? await tf.loadGraphModel(tf.io.fromMemory(artifacts)) : await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return {
    name: name ?? `inception-v3-pool3(${path.basename(path.resolve(dir))})`,
    dims,
    features: (batch) =>
      tf.tidy(() => {
        const resized = tf.image.resizeBilinear(batch, [inputSize, inputSize]);
        const output = model.predict(resized);
        if (!(output instanceof tf.Tensor)) throw new Error(`inception model in ${dir} has several outputs; expected one (pool3)`);
        const pooled = output.rank === 4 ? tf.mean(output, [1, 2]) : output.reshape([batch.shape[0], -1]);
        if (pooled.shape[1] !== dims) throw new Error(`inception model in ${dir} gives ${pooled.shape[1]} features, expected ${dims}`);
        return pooled as tf.Tensor2D;
      }),
    dispose: () => model.dispose(),
  };
}
