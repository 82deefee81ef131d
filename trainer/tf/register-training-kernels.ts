/**
 * Importing this module registers every kernel that training needs and a backend lacks, so
 * the trainer can run on wasm (far faster than the pure-JS cpu backend for convs). Each
 * kernel lives in its own file; list it here.
 *
 * Still missing on wasm (tfjs 4.22), so training fails there if a model uses them:
 * DepthwiseConv2dNativeBackpropFilter/Input (depthwise and separable convs) and
 * UnsortedSegmentSum (the gradient of gather, e.g. embeddings).
 */
import * as tf from '@tensorflow/tfjs';
import { wasmConv2DBackpropFilterConfig } from './wasm-conv2d-backprop-filter.js';

tf.registerKernel(wasmConv2DBackpropFilterConfig);
