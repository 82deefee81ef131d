import sharp from 'sharp';
import { deriveSeed, SeededRandom } from '../seeded-random.js';
import type { RgbImage } from '../targets/raster.js';
import { drawOutdoorScene } from './outdoor-scene.js';
import { drawPortraitScene } from './portrait-scene.js';
import { drawStillLifeScene } from './still-life-scene.js';
import { SvgCanvas } from './svg-canvas.js';

export const sceneKinds = ['landscape', 'street', 'portrait', 'still-life'] as const;
export type SceneKind = (typeof sceneKinds)[number];

/**
 * The SVG of one procedural scene, with light falling from one side and a vignette over
 * every kind, as a camera would record them.
 */
function sceneSvg(kind: SceneKind, seed: number, pixels: number): string {
  const rng = new SeededRandom(seed);
  const canvas = new SvgCanvas(rng);
  switch (kind) {
    case 'landscape':
    case 'street':
      drawOutdoorScene(canvas, kind);
      break;
    case 'portrait':
      drawPortraitScene(canvas);
      break;
    case 'still-life':
      drawStillLifeScene(canvas);
      break;
  }
  const angle = rng.range(0, Math.PI * 2);
  const light = canvas.linearGradient(
    [[0, '#fff8e8', rng.range(0, 0.18)], [1, '#000010', rng.range(0, 0.3)]],
    0.5 - Math.cos(angle) / 2,
    0.5 - Math.sin(angle) / 2,
    0.5 + Math.cos(angle) / 2,
    0.5 + Math.sin(angle) / 2,
  );
  canvas.add(`<rect width="1000" height="1000" fill="${light}"/>`);
  canvas.add(`<rect width="1000" height="1000" fill="${canvas.radialGradient([[0.6, '#000', 0], [1, '#000', rng.range(0, 0.45)]], 0.5, 0.5, 0.75)}"/>`);
  return canvas.toSvg(pixels);
}

/**
 * Renders a scene to RGB pixels, then adds what a camera adds: a little lens blur for
 * some scenes and sensor grain for all (Gaussian, a few levels; done here because an SVG
 * noise filter over the whole image costs several times more).
 */
export async function renderScene(kind: SceneKind, seed: number, pixels: number): Promise<RgbImage> {
  const rng = new SeededRandom(deriveSeed(seed, 'camera'));
  const softness = rng.next();
  let pipeline = sharp(Buffer.from(sceneSvg(kind, seed, pixels))).removeAlpha();
  if (softness > 0.5) pipeline = pipeline.blur(0.3 + softness * 0.5);
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  // Luminance grain: one draw per pixel, added to its three channels.
  const grain = rng.range(1, 6);
  const out = new Uint8Array(data.length);
  for (let p = 0; p < out.length; p += 3) {
    const noise = grain * rng.gaussian();
    for (let c = p; c < p + 3; c++) out[c] = Math.min(255, Math.max(0, Math.round((data[c] as number) + noise)));
  }
  return { width: info.width, height: info.height, data: out };
}
