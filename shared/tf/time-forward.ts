import * as tf from '@tensorflow/tfjs';

export interface ForwardTiming {
  /** Median wall time of one forward of the batch, in ms. */
  msPerBatch: number;
  /** How many forwards the median is of. */
  runs: number;
}

/** A tfjs model, or any other runtime's forward of an NHWC batch that resolves once its output is read. */
export type Forward = tf.LayersModel | ((images: tf.Tensor4D) => Promise<void>);

/**
 * Times `model` on a random batch of `batch` size² RGB images: `warmup` untimed forwards, then
 * the median of `runs` timed ones. A warm-up forward slower than `slowMs` is the answer itself
 * (runs: 1), so that very slow networks are run once more only. Each forward waits for its
 * output's data, as a caller reading the result would.
 */
export async function timeForward(
  model: Forward,
  { size, batch, warmup, runs, slowMs }: { size: number; batch: number; warmup: number; runs: number; slowMs: number },
): Promise<ForwardTiming> {
  const images = tf.randomUniform([batch, size, size, 3], -1, 1) as tf.Tensor4D;
  const once = async () => {
    const started = performance.now();
    if (typeof model === 'function') {
      await model(images);
    } else {
      const out = model.predict(images) as tf.Tensor;
      await out.data();
      out.dispose();
    }
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < warmup; i++) {
      const ms = await once();
      if (ms > slowMs) return { msPerBatch: ms, runs: 1 };
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return { msPerBatch: times[Math.floor(times.length / 2)]!, runs: times.length };
  } finally {
    images.dispose();
  }
}
