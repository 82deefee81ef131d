import type * as tf from '@tensorflow/tfjs';

/**
 * A custom layer that knows its cost implements this (gan/flops.ts counts every other layer by rule): floating-point operations for one
 * call with these shapes (batch dimension null or 1), counting a multiply-add as 2.
 */
export interface CountsFlops {
  flops(inputShapes: tf.Shape[], outputShapes: tf.Shape[]): number;
}
