/**
 * Importing this module registers every custom layer with tfjs serialization, so a saved
 * model loads anywhere with no extra code. Each layer file registers itself; list it here.
 */
import './instance-norm.js';
import './layer-norm.js';
import './reflection-pad.js';
import './modulated-conv.js';
import './self-attention.js';
import './blur-upsample.js';
import './bilinear-downsample.js';
import './atrous-conv.js';
import './auxiliary-outputs.js';
import './batch-constant.js';
import './pixel-norm.js';
import './minibatch-stddev.js';
import './codes-to-batch.js';
import './dynamic-fusion.js';
import './select-code.js';
import './shared-layer-model.js';
