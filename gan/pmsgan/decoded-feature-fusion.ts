import type * as tf from '@tensorflow/tfjs';
import { upConv } from './convs.js';
import { featureAttention } from './feature-attention.js';

/**
 * DFF (PMSGAN §III-A-3, Fig. 5): passes the decoding of the next coarser stage D_{j+1}^out up
 * into stage j before its decoder. D_{j+1}^out is upsampled by MIMO-UNet's 4×4 stride-2
 * transposed conv to stage j's size and width. The paper's text for the fusion repeats
 * EFF's ("feature attention … whose output is expected to include global structure
 * information"); read the same way as EFF, the stage's own features are the base and the
 * coarser stage's decoding is the guide, so the conv'd product — carrying the coarse
 * stage's global structure — is added to stage j's features.
 */
export function decodedFeatureFusion(current: tf.SymbolicTensor, coarserDecoding: tf.SymbolicTensor, o: { filters: number; name: string }): tf.SymbolicTensor {
  const upsampled = upConv(coarserDecoding, o.filters, `${o.name}_up`);
  return featureAttention(current, upsampled, o.filters, `${o.name}_fa`);
}
