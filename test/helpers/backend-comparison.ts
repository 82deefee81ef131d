import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';

export type Backend = 'cpu' | 'wasm';

/** Runs `compute` with `backend` active (tensors made before belong to the previous one). */
export async function on<T>(backend: Backend, compute: () => T): Promise<T> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} failed to initialise`);
  return compute();
}

/**
 * ‖a − b‖ / ‖b‖ over all elements. The reference must not be (nearly) zero, or the
 * comparison would prove nothing: its RMS must exceed `minReferenceRms`.
 */
export function relativeError(actual: Float32Array, expected: Float32Array, minReferenceRms = 0): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i]! - expected[i]!) ** 2;
    norm += expected[i]! ** 2;
  }
  assert.ok(norm > 0 && Math.sqrt(norm / expected.length) > minReferenceRms, 'reference is (nearly) all zeros, the comparison would prove nothing');
  return Math.sqrt(diff / norm);
}

/** Deterministic values in [-0.5, 0.5) (an LCG), the same on every backend. */
export function seededValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}
