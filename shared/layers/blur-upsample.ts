import * as tf from '@tensorflow/tfjs';

/**
 * What the [1,2,1]/4 blur sees beyond the border: zeros (StyleGAN2's FIR upsampling) or the
 * edge sample repeated, which makes the whole thing bilinear 2× with half-pixel centres
 * (PyTorch's `Upsample(scale_factor=2, mode='bilinear', align_corners=False)`).
 */
export type BlurEdges = 'zero' | 'replicate';

/**
 * 2× upsampling of NHWC maps: nearest-neighbour 2× followed by the separable blur
 * [1,2,1]/4, i.e. interior samples ¾·x[i] + ¼·x[i±1]. With zero edges this is exactly
 * StyleGAN2's anti-aliasing upsampling (zero-stuffing and the FIR [1,3,3,1], gain 4; border
 * samples ¾·x[0]); with replicated edges it is exactly bilinear (border samples x[0]).
 * The blur is two stride-1 2×2 mean pools, since [1,1]/2 ∗ [1,1]/2 = [1,2,1]/4.
 * Built from concat/reshape/pad/avgPool, which run and differentiate on every backend
 * (tfjs' ResizeBilinearGrad ignores halfPixelCenters and the cpu ResizeNearestNeighborGrad
 * is wrong for this case, so the resize ops would not do).
 */
export function blurUpsample2x(x: tf.Tensor4D, edges: BlurEdges = 'zero'): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    // Nearest-neighbour 2×: rows repeated, then each pixel of a row repeated.
    const rows = tf.concat([x, x], 2).reshape([n, 2 * h, w, 1, c]);
    const nearest = tf.concat([rows, rows], 3).reshape([n, 2 * h, 2 * w, c]) as tf.Tensor4D;
    const border: [number, number][] = [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ];
    // 'symmetric' mirroring by one sample repeats the edge sample.
    const padded = edges === 'zero' ? tf.pad(nearest, border) : tf.mirrorPad(nearest, border, 'symmetric');
    return tf.avgPool(tf.avgPool(padded, 2, 1, 'valid'), 2, 1, 'valid');
  });
}

export interface BlurUpsampleArgs {
  edges?: BlurEdges;
  name?: string;
}

/** {@link blurUpsample2x} as a layer (StyleGAN2-style RGB skips; bilinear resize-convolution upsampling). */
export class BlurUpsample extends tf.layers.Layer {
  static className = 'BlurUpsample';
  private readonly edges: BlurEdges;

  constructor(args: BlurUpsampleArgs = {}) {
    super(args);
    this.edges = args.edges ?? 'zero';
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const grow = (d: number | null | undefined) => (d == null ? null : 2 * d);
    return [s[0] ?? null, grow(s[1]), grow(s[2]), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return blurUpsample2x((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D, this.edges);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), edges: this.edges };
  }
}
tf.serialization.registerClass(BlurUpsample);
