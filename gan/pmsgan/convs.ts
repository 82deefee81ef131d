import * as tf from '@tensorflow/tfjs';
import { convKernelInit } from '../blocks/weight-init.js';

/** Applies a layer to one symbolic tensor or a list (merge layers) in a functional model. */
export function apply(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

export interface ConvSpec {
  filters: number;
  kernelSize: number;
  strides?: number;
  activation?: 'relu' | 'sigmoid' | 'tanh' | 'linear';
  name: string;
}

/**
 * A 'same'-padded conv with a bias, initialised N(0, 0.02) as PMSGAN §IV-A-1 states
 * ("weights were initialized from a Gaussian distribution with a mean of 0 and a standard
 * deviation of 0.02"). There is no normalisation anywhere in the generator: its blocks follow
 * MIMO-UNet (Cho et al. 2021, the paper's [35]), which has none.
 */
export function conv(x: tf.SymbolicTensor, { filters, kernelSize, strides = 1, activation = 'linear', name }: ConvSpec): tf.SymbolicTensor {
  return apply(tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', activation, kernelInitializer: convKernelInit(), name }), x);
}

/** A 4×4 stride-2 transposed conv + ReLU, MIMO-UNet's decoder upsampling (`BasicConv(transpose=True)`). */
export function upConv(x: tf.SymbolicTensor, filters: number, name: string): tf.SymbolicTensor {
  return apply(tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: convKernelInit(), name }), x);
}
