import * as tf from '@tensorflow/tfjs';
import { kaimingNormal } from '../../shared/layers/kaiming-normal.js';

export interface ConvArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  name: string;
}

/**
 * LDSGAN's conv unit (§3.3, §4.2): a 'same'-padded conv with bias and Kaiming-normal
 * weights (§4.2; PyTorch `kaiming_normal_`: N(0, 2/fan_in)),
 * no normalisation layer.
 */
export function conv(x: tf.SymbolicTensor, args: ConvArgs): tf.SymbolicTensor {
  const channels = x.shape[3];
  if (typeof channels !== 'number') throw new Error(`conv ${args.name}: unknown input channels`);
  const layer = tf.layers.conv2d({
    filters: args.filters,
    kernelSize: args.kernelSize,
    strides: args.strides ?? 1,
    padding: 'same',
    kernelInitializer: kaimingNormal(args.kernelSize * args.kernelSize * channels),
    name: args.name,
  });
  return layer.apply(x) as tf.SymbolicTensor;
}

/** LeakyReLU with slope 0.2, which LDSGAN puts after every conv (§3.3). */
export function lrelu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
  return tf.layers.leakyReLU({ alpha: 0.2, name }).apply(x) as tf.SymbolicTensor;
}

/** conv followed by LeakyReLU(0.2); the activation is named `<name>_lrelu`. */
export function convLReLU(x: tf.SymbolicTensor, args: ConvArgs): tf.SymbolicTensor {
  return lrelu(conv(x, args), `${args.name}_lrelu`);
}
