import * as tf from '@tensorflow/tfjs';
import { sobelMagnitude } from '../../gan/losses/sobel-line-map.js';
import { checkImagePair } from './image-range.js';

/**
 * Content kept: the Pearson correlation, per image pair, between the Sobel gradient
 * magnitudes of the two images' luma (gan/losses/sobel-line-map.ts), both at the
 * same size. 1 when the output's edges sit where the input's are (in any strength ratio), ≈ 0
 * for unrelated images. An image without any edge (constant) correlates with nothing: 0.
 */
/** Edge-map variance below this is float32 rounding of a constant map (the ε of an edgeless image). */
const flatVariance = 1e-10;

export function edgeCorrelation(a: tf.Tensor4D, b: tf.Tensor4D): number[] {
  checkImagePair('edgeCorrelation', a, b);
  const stats = tf.tidy(() => {
    const centred = (x: tf.Tensor4D) => {
      const edges = sobelMagnitude(x);
      return edges.sub(tf.mean(edges, [1, 2, 3], true));
    };
    const x = centred(a);
    const y = centred(b);
    const sum = (t: tf.Tensor) => tf.sum(t, [1, 2, 3]);
    return tf.stack([sum(x.mul(y)), sum(x.square()), sum(y.square())], 1);
  });
  const values = stats.dataSync();
  stats.dispose();
  const pixels = a.shape[1] * a.shape[2];
  return Array.from({ length: a.shape[0] }, (_, i) => {
    const [xy, xx, yy] = [values[3 * i]!, values[3 * i + 1]!, values[3 * i + 2]!];
    return xx / pixels > flatVariance && yy / pixels > flatVariance ? xy / Math.sqrt(xx * yy) : 0;
  });
}
