/** The image codec: bytes in, model-ready pixels, pixels back out to bytes. */
export { decodeImage, type DecodedImage, type ImageLimits } from './decode.js';
export { encodeImage } from './encode.js';
export { outputDimensions } from './geometry.js';
export { letterbox, padToMultiple, unletterbox, type Letterbox } from './letterbox.js';
