/**
 * Importing this module registers every kernel that training needs and a backend lacks, so
 * the trainer can run on wasm (far faster than the pure-JS cpu backend for convs). Each
 * kernel lives in its own file; list it here.
 *
 * With these, one training step of every architecture in gan/ (test options, including
 * pix2pix with WGAN-GP's second-order gradients) runs on wasm. The depthwise-conv gradients
 * cover stride 1 and channel multiplier 1 (AnimeGAN's inverted-residual blocks). Still missing
 * on wasm (tfjs 4.22), and used by none of them today: UnsortedSegmentSum (the gradient of
 * gather, e.g. embeddings).
 *
 * It also swaps in the faster wasm Conv2DBackpropInput (every conv's input gradient) and Slice
 * (every concat's gradient), which replace kernels wasm has and so only take effect if the
 * wasm package is already imported; shared/tf/runtime.ts swaps them in again when it
 * activates wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { keepPreparedWasmFilters, useFastWasmConv2DBackpropInput } from '../../shared/tf/wasm-conv2d-backprop-input.js';
import { useFastWasmSlice } from '../../shared/tf/wasm-slice.js';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';
import { wasmDepthwiseConv2dBackpropFilterConfig, wasmDepthwiseConv2dBackpropInputConfig } from './wasm-depthwise-conv2d-backprop.js';

tf.registerKernel(wasmConv2DBackpropFilterConfig);
tf.registerKernel(wasmDepthwiseConv2dBackpropInputConfig);
tf.registerKernel(wasmDepthwiseConv2dBackpropFilterConfig);
useFastWasmConv2DBackpropInput();
useFastWasmSlice();
// Training makes new weight buffers every step: caching their rearranged copies only costs memory.
keepPreparedWasmFilters(false);
