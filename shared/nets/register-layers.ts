/**
 * Importing this module registers every custom layer with tfjs serialization, so a saved
 * model loads anywhere with no extra code. Each layer file registers itself; list it here.
 */
import './layers/instance-norm.js';
import './layers/layer-norm.js';
import './layers/reflection-pad.js';
import './layers/modulated-conv.js';
import './layers/self-attention.js';
import './layers/blur-upsample.js';
import './layers/bilinear-downsample.js';
import './layers/atrous-conv.js';
import './layers/auxiliary-outputs.js';
import './layers/batch-constant.js';
import './layers/pixel-norm.js';
import './layers/minibatch-stddev.js';
import './layers/codes-to-batch.js';
import './layers/dynamic-fusion.js';
import './layers/select-code.js';
import './layers/shared-layer-model.js';
