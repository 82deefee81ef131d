import * as tf from '@tensorflow/tfjs';
import { l1Loss } from '../losses/pixel.js';

/*
 * The image-statistics losses of AnimeGAN (Chen, Liu & Chen, "AnimeGAN: A Novel Lightweight
 * GAN for Photo Animation", ISICA 2019) and its v2 release (TachibanaYoshino/AnimeGANv2,
 * 2020, tools/ops.py): grayscale Gram style loss, YUV colour loss and total variation.
 * Images are NHWC in [-1, 1].
 */

/** ITU-R BT.601 luma weights, as `tf.image.rgb_to_yuv` and OpenCV's BGR2GRAY use. */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * RGB → YUV of `tf.image.rgb_to_yuv` (rows R, G, B; columns Y, U, V), applied, as v2's
 * `rgb2yuv` does, to the image mapped from [-1, 1] to [0, 1].
 */
const RGB_TO_YUV = [
  [LUMA[0], -0.14714119, 0.61497538],
  [LUMA[1], -0.28886916, -0.51496512],
  [LUMA[2], 0.43601035, -0.10001026],
];

/** The luma of each pixel repeated in the three channels: the grayscale anime images of AnimeGAN's gray-style and gray-adversarial terms. */
export function grayscale(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const luma = tf.sum(images.mul(tf.tensor1d([...LUMA])), 3, true);
    return tf.tile(luma, [1, 1, 1, 3]) as tf.Tensor4D;
  });
}

export function rgbToYuv(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = images.shape;
    const unit = images.add(1).div(2).reshape([-1, 3]) as tf.Tensor2D;
    return tf.matMul(unit, tf.tensor2d(RGB_TO_YUV)).reshape([n, h, w, 3]) as tf.Tensor4D;
  });
}

/**
 * v2's `gram`: per sample, FᵀF of the features reshaped to [H·W, C], divided by the number
 * of elements H·W·C. Returns [N, C, C].
 */
export function gramMatrix(features: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = features.shape;
    const flat = features.reshape([n, h * w, c]) as tf.Tensor3D;
    return tf.matMul(flat, flat, true, false).div(h * w * c) as tf.Tensor3D;
  });
}

/** v2's `style_loss`: mean absolute difference of the two feature maps' Gram matrices. */
export function gramStyleLoss(features: tf.Tensor4D, styleFeatures: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => l1Loss(gramMatrix(features), gramMatrix(styleFeatures)));
}

/**
 * v2's `color_loss`: both images to YUV, then mean absolute difference of Y plus the Huber
 * losses (δ = 1, mean) of U and V.
 */
export function yuvColourLoss(generated: tf.Tensor4D, photo: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [y, u, v] = tf.split(rgbToYuv(generated), 3, 3);
    const [py, pu, pv] = tf.split(rgbToYuv(photo), 3, 3);
    return l1Loss(py!, y!).add(tf.losses.huberLoss(pu!, u!)).add(tf.losses.huberLoss(pv!, v!)) as tf.Scalar;
  });
}

/**
 * v2's `total_variation_loss`: l2_loss (half the sum of squares) of the vertical and of the
 * horizontal neighbour differences, each divided by its element count.
 */
export function totalVariationLoss(images: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const [n, h, w, c] = images.shape;
    const dh = tf.sub(tf.slice(images, [0, 0, 0, 0], [n, h - 1, w, c]), tf.slice(images, [0, 1, 0, 0], [n, h - 1, w, c]));
    const dw = tf.sub(tf.slice(images, [0, 0, 0, 0], [n, h, w - 1, c]), tf.slice(images, [0, 0, 1, 0], [n, h, w - 1, c]));
    return tf
      .mean(tf.square(dh))
      .add(tf.mean(tf.square(dw)))
      .mul(0.5) as tf.Scalar;
  });
}
