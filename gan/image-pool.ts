import * as tf from '@tensorflow/tfjs';

/**
 * The image pool of the reference toolkit (util/image_pool.py, after Shrivastava et al.
 * 2017): discriminators also see fakes of earlier generator states, which damps the
 * oscillation of unpaired GAN training. One pool per stream of fakes (CycleGAN keeps
 * fake_A_pool and fake_B_pool), each holding up to `size` generated images; size 0 is no
 * pool. For every image of a queried batch, in order: while the pool is not full the image
 * is stored and shown; afterwards, with probability ½ a random stored image is shown and
 * the new one takes its place, else the new image is shown.
 *
 * The pools hold copies of the fakes (kept out of any tf.tidy) until replaced or
 * `dispose`d. Randomness is `random` (default Math.random, which the trainer seeds).
 */
export class ImagePools {
  private readonly pools = new Map<string, tf.Tensor3D[]>();

  constructor(
    readonly size: number,
    private readonly random: () => number = () => Math.random(),
  ) {
    if (!Number.isInteger(size) || size < 0) throw new Error(`image pool size must be a whole number ≥ 0, got ${size}`);
  }

  /**
   * The batch the discriminator is shown instead of `fakes`, through the pool named
   * `stream`. Like any op, the result belongs to the caller (it is `fakes` itself when the
   * size is 0).
   */
  query(stream: string, fakes: tf.Tensor4D): tf.Tensor4D {
    if (this.size === 0) return fakes;
    let pool = this.pools.get(stream);
    if (!pool) this.pools.set(stream, (pool = []));
    const stored = pool;
    const replaced: tf.Tensor3D[] = [];
    const shown = tf.tidy(() => tf.stack(tf.unstack(fakes).map((image) => this.swap(stored, image as tf.Tensor3D, replaced))) as tf.Tensor4D);
    // Only now: the stack above read the replaced images.
    tf.dispose(replaced);
    return shown;
  }

  /** Number of images held in the pool named `stream`. */
  held(stream: string): number {
    return this.pools.get(stream)?.length ?? 0;
  }

  dispose(): void {
    for (const pool of this.pools.values()) tf.dispose(pool);
    this.pools.clear();
  }

  private swap(pool: tf.Tensor3D[], image: tf.Tensor3D, replaced: tf.Tensor3D[]): tf.Tensor3D {
    if (pool.length < this.size) {
      pool.push(tf.keep(image.clone()));
      return image;
    }
    if (this.random() <= 0.5) return image;
    const slot = Math.min(this.size - 1, Math.floor(this.random() * this.size));
    const previous = pool[slot]!;
    pool[slot] = tf.keep(image.clone());
    replaced.push(previous);
    return previous;
  }
}
