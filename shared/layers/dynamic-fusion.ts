import * as tf from '@tensorflow/tfjs';

export interface DynamicFusionArgs {
  /** M, the number of feature maps fused per sample (one per latent code). */
  codes: number;
  /** Channel compression ratio r of the SE bottleneck (OME and Hu et al.: 8). */
  reduction?: number;
  /**
   * true: OME's dynamic fusion (channel attention, softmax across the maps). false: the
   * paper's ablation baseline, a static average of the M maps (§4.2), with no weights.
   */
  dynamic?: boolean;
}

/**
 * OME's multiple feature maps dynamic fusion module DF (Guo et al. 2023, §3.3, eqs. 7–10).
 * The input holds the M intermediate feature maps F_m = G_pre(z_m) of each sample, folded
 * into the batch as `CodesToBatch` leaves them ([N·M, H, W, C], sample-major). For every map
 * an SE block (Hu et al.) gives channel weights α_m = σ(W₁ δ(W₀ GAP(F_m))) — one SE shared by
 * all m, as eq. (7) writes it, without biases; a softmax across the M maps per channel gives
 * β_m, and the output is Σ_m F_m ⊙ β_m, [N, H, W, C], ready for G_post.
 */
export class DynamicFusion extends tf.layers.Layer {
  static className = 'DynamicFusion';
  private readonly codes: number;
  private readonly reduction: number;
  private readonly dynamic: boolean;
  private squeeze?: tf.LayerVariable;
  private excite?: tf.LayerVariable;

  constructor(args: DynamicFusionArgs & { name?: string; trainable?: boolean }) {
    super(args);
    this.codes = args.codes;
    this.reduction = args.reduction ?? 8;
    this.dynamic = args.dynamic ?? true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = s[3];
    if (typeof channels !== 'number') throw new Error(`DynamicFusion needs a known channel count, got ${JSON.stringify(s)}`);
    if (this.dynamic) {
      const hidden = Math.max(1, Math.floor(channels / this.reduction));
      this.squeeze = this.addWeight('squeeze', [channels, hidden], 'float32', tf.initializers.glorotUniform({}));
      this.excite = this.addWeight('excite', [hidden, channels], 'float32', tf.initializers.glorotUniform({}));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [null, s[1] ?? null, s[2] ?? null, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
    const [folded, h, w, c] = x.shape;
    if (folded % this.codes !== 0) throw new Error(`DynamicFusion: batch ${folded} is not a multiple of ${this.codes} codes`);
    return tf.tidy(() => {
      const maps = x.reshape([folded / this.codes, this.codes, h, w, c]);
      if (!this.dynamic) return tf.mean(maps, 1);
      if (!this.squeeze || !this.excite) throw new Error('DynamicFusion called before build');
      const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
      const hidden = tf.relu(tf.matMul(pooled, this.squeeze.read() as tf.Tensor2D));
      const alpha = tf.sigmoid(tf.matMul(hidden, this.excite.read() as tf.Tensor2D)).reshape([-1, this.codes, c]);
      // tfjs' softmax works on the last axis only: put the M codes there.
      const beta = tf.softmax(tf.transpose(alpha, [0, 2, 1])).transpose([0, 2, 1]);
      return tf.sum(maps.mul(beta.reshape([-1, this.codes, 1, 1, c])), 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), codes: this.codes, reduction: this.reduction, dynamic: this.dynamic };
  }
}
tf.serialization.registerClass(DynamicFusion);
