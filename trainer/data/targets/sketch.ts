import { bilateralFilter, type BilateralParams } from './bilateral-filter.js';
import { grayToRgb, luminance, type RgbImage } from './raster.js';
import { xdog, type XdogParams } from './xdog.js';

/**
 * The `sketch` style's target: a clean line drawing, dark lines on white. A light
 * bilateral pass first flattens fine texture (grass, fur, sensor noise) that XDoG would
 * otherwise turn into speckles, while keeping the object contours it should draw.
 */
export interface SketchParams {
  smoothing: BilateralParams;
  lines: XdogParams;
}

export const defaultSketchParams: SketchParams = {
  smoothing: { sigmaSpatial: 3, sigmaRange: 40, iterations: 1 },
  lines: { sigma: 0.75, k: 1.6, p: 35, epsilon: -0.08, phi: 5 },
};

export function sketch(image: RgbImage, params: SketchParams = defaultSketchParams): RgbImage {
  const smoothed = params.smoothing.iterations > 0 ? bilateralFilter(image, params.smoothing) : image;
  return grayToRgb(xdog(luminance(smoothed), params.lines));
}
