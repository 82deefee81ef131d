import * as tf from '@tensorflow/tfjs';

/**
 * LDSGAN's regional hue pixel loss (§3.4: "pixel-level loss is used to limit the proximity
 * of the regional hue of the input image x and the generated image G(x)"; its equation is
 * missing from the available text). Reconstructed as the mean L1 distance between the
 * images' mean colours over non-overlapping `regionSize`×`regionSize` regions: it keeps the
 * colour layout of the input while leaving texture and shape inside each region free, which
 * an unpaired long-distance translation needs. Region means rather than HSV hue, which is
 * circular and undefined on greys, so not a usable gradient signal.
 */
export function regionalHueLoss(source: tf.Tensor4D, generated: tf.Tensor4D, regionSize: number): tf.Scalar {
  if (!Number.isInteger(regionSize) || regionSize < 1) throw new Error(`regionalHueLoss: regionSize must be a positive integer, got ${regionSize}`);
  return tf.tidy(() => {
    const regionColour = (images: tf.Tensor4D) => tf.avgPool(images, regionSize, regionSize, 'valid');
    return tf.mean(tf.abs(regionColour(generated).sub(regionColour(source))));
  });
}
