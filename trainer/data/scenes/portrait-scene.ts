import { fmt, hsl, type SvgCanvas } from './svg-canvas.js';

/**
 * A head-and-shoulders portrait, the commonest photo a chat bot receives: a blurred
 * background (wall, bokeh lights or outdoor greens), shoulders in clothes, neck, a shaded
 * face with ears, eyes, brows, nose and mouth, hair of varied colour and cut, sometimes
 * glasses or a beard. Skin tones, proportions, position, size and head tilt vary.
 */
export function drawPortraitScene(canvas: SvgCanvas): void {
  const { rng } = canvas;
  drawBackground(canvas);

  const cx = rng.range(330, 670);
  const headH = rng.range(260, 420);
  const headW = headH * rng.range(0.68, 0.8);
  const cy = rng.range(330, 520);
  const tilt = rng.range(-10, 10);
  const skinHue = rng.range(14, 34);
  const skinLight = rng.range(0.28, 0.8);
  const skin = hsl(skinHue, rng.range(0.3, 0.6), skinLight);
  const skinShadow = hsl(skinHue - 4, 0.45, skinLight * 0.72);
  const hair = hsl(rng.range(15, 45), rng.range(0.15, 0.6), rng.pick([0.08, 0.15, 0.25, 0.4, 0.6, 0.75]));
  const longHair = rng.bool(0.4);
  const light = rng.range(0.25, 0.75); // where the light comes from, across the face

  // Long hair falls behind the shoulders, so it is drawn first.
  if (longHair) {
    canvas.add(
      `<path d="M${fmt(cx - headW * 0.62)},${fmt(cy - headH * 0.2)} Q${fmt(cx - headW * 0.9)},${fmt(cy + headH * 0.7)} ${fmt(cx - headW * 0.7)},${fmt(cy + headH * 1.05)} L${fmt(cx + headW * 0.7)},${fmt(cy + headH * 1.05)} Q${fmt(cx + headW * 0.9)},${fmt(cy + headH * 0.7)} ${fmt(cx + headW * 0.62)},${fmt(cy - headH * 0.2)} Z" fill="${hair}" filter="${canvas.texture(0.01, 0.12, 3, 0.15)}"/>`,
    );
  }

  drawShoulders(canvas, cx, cy + headH * 0.45, headW, skin, skinShadow);

  canvas.group(`transform="rotate(${fmt(tilt)} ${fmt(cx)} ${fmt(cy + headH * 0.4)})"`, () => {
    const faceShade = canvas.radialGradient([[0, skin], [0.7, skin], [1, skinShadow]], light, 0.45, 0.75, light, 0.35);
    for (const side of [-1, 1]) {
      canvas.add(`<ellipse cx="${fmt(cx + side * headW * 0.49)}" cy="${fmt(cy + headH * 0.02)}" rx="${fmt(headW * 0.09)}" ry="${fmt(headH * 0.1)}" fill="${skinShadow}"/>`);
    }
    const jaw = rng.range(0.28, 0.42);
    canvas.add(
      `<path d="M${fmt(cx - headW / 2)},${fmt(cy - headH * 0.1)} C${fmt(cx - headW / 2)},${fmt(cy - headH * 0.62)} ${fmt(cx + headW / 2)},${fmt(cy - headH * 0.62)} ${fmt(cx + headW / 2)},${fmt(cy - headH * 0.1)} C${fmt(cx + headW / 2)},${fmt(cy + headH * 0.25)} ${fmt(cx + headW * jaw)},${fmt(cy + headH * 0.5)} ${fmt(cx)},${fmt(cy + headH * 0.5)} C${fmt(cx - headW * jaw)},${fmt(cy + headH * 0.5)} ${fmt(cx - headW / 2)},${fmt(cy + headH * 0.25)} ${fmt(cx - headW / 2)},${fmt(cy - headH * 0.1)} Z" fill="${faceShade}" filter="${canvas.texture(0.08, 0.08, 2, 0.04)}"/>`,
    );
    drawFeatures(canvas, cx, cy, headW, headH, skinShadow, hair);
    drawHair(canvas, cx, cy, headW, headH, hair);
  });
}

function drawBackground(canvas: SvgCanvas): void {
  const { rng } = canvas;
  const kind = rng.pick(['wall', 'bokeh', 'greens'] as const);
  const hue = rng.range(0, 360);
  const base = kind === 'greens' ? hsl(rng.range(80, 130), 0.35, rng.range(0.3, 0.5)) : hsl(hue, rng.range(0.05, 0.45), rng.range(0.25, 0.85));
  const far = kind === 'greens' ? hsl(rng.range(60, 110), 0.3, rng.range(0.55, 0.75)) : hsl(hue + rng.range(-30, 30), rng.range(0.05, 0.35), rng.range(0.2, 0.9));
  canvas.add(`<rect width="1000" height="1000" fill="${canvas.linearGradient([[0, far], [1, base]], rng.next(), 0, rng.next(), 1)}"/>`);
  if (kind === 'wall') {
    canvas.add(`<rect width="1000" height="1000" fill="${base}" opacity="0.4" filter="${canvas.texture(0.02, 0.02, 3, 0.1)}"/>`);
    return;
  }
  canvas.group(`filter="${canvas.blur(rng.range(10, 25))}"`, () => {
    for (let i = rng.int(8, 25); i > 0; i--) {
      const color = kind === 'bokeh' ? hsl(rng.range(0, 360), rng.range(0.3, 0.9), rng.range(0.5, 0.9)) : hsl(rng.range(60, 140), 0.4, rng.range(0.2, 0.7));
      canvas.add(`<circle cx="${fmt(rng.range(0, 1000))}" cy="${fmt(rng.range(0, 800))}" r="${fmt(rng.range(20, 110))}" fill="${color}" opacity="${fmt(rng.range(0.3, 0.8))}"/>`);
    }
  });
}

function drawShoulders(canvas: SvgCanvas, cx: number, neckY: number, headW: number, skin: string, skinShadow: string): void {
  const { rng } = canvas;
  const cloth = hsl(rng.range(0, 360), rng.range(0.05, 0.7), rng.range(0.1, 0.7));
  const span = headW * rng.range(1.5, 2.1);
  const shoulderY = neckY + headW * rng.range(0.45, 0.6);
  canvas.add(`<rect x="${fmt(cx - headW * 0.2)}" y="${fmt(neckY - headW * 0.3)}" width="${fmt(headW * 0.4)}" height="${fmt(headW * 0.75)}" fill="${canvas.linearGradient([[0, skinShadow], [0.6, skin]])}"/>`);
  const body = `M${fmt(cx - span)},1000 L${fmt(cx - span * 0.95)},${fmt(shoulderY + 60)} Q${fmt(cx - span * 0.85)},${fmt(shoulderY)} ${fmt(cx - headW * 0.35)},${fmt(shoulderY - 15)} L${fmt(cx)},${fmt(shoulderY + headW * rng.range(0.1, 0.5))} L${fmt(cx + headW * 0.35)},${fmt(shoulderY - 15)} Q${fmt(cx + span * 0.85)},${fmt(shoulderY)} ${fmt(cx + span * 0.95)},${fmt(shoulderY + 60)} L${fmt(cx + span)},1000 Z`;
  canvas.add(`<path d="${body}" fill="${cloth}" filter="${canvas.texture(0.05, 0.05, 3, 0.1)}"/>`);
  canvas.add(`<path d="${body}" fill="${canvas.linearGradient([[0, '#fff', 0.12], [0.5, '#000', 0], [1, '#000', 0.35]], 0, 0, 1, 0)}"/>`);
}

function drawFeatures(canvas: SvgCanvas, cx: number, cy: number, headW: number, headH: number, skinShadow: string, hair: string): void {
  const { rng } = canvas;
  const eyeY = cy + headH * rng.range(-0.04, 0.04);
  const eyeDx = headW * rng.range(0.19, 0.24);
  const eyeW = headW * rng.range(0.1, 0.13);
  const eyeH = eyeW * rng.range(0.45, 0.65);
  const iris = hsl(rng.pick([25, 30, 100, 200, 210]), rng.range(0.3, 0.7), rng.range(0.15, 0.45));
  const brow = hsl(0, 0, 0.1);
  for (const side of [-1, 1]) {
    const ex = cx + side * eyeDx;
    canvas.add(`<ellipse cx="${fmt(ex)}" cy="${fmt(eyeY - eyeH * 0.6)}" rx="${fmt(eyeW * 1.3)}" ry="${fmt(eyeH * 1.2)}" fill="${skinShadow}" opacity="0.5"/>`);
    canvas.add(`<ellipse cx="${fmt(ex)}" cy="${fmt(eyeY)}" rx="${fmt(eyeW)}" ry="${fmt(eyeH)}" fill="#f2eee8"/>`);
    canvas.add(`<circle cx="${fmt(ex)}" cy="${fmt(eyeY)}" r="${fmt(eyeH * 0.85)}" fill="${iris}"/>`);
    canvas.add(`<circle cx="${fmt(ex)}" cy="${fmt(eyeY)}" r="${fmt(eyeH * 0.4)}" fill="#0c0a0a"/>`);
    canvas.add(`<circle cx="${fmt(ex - eyeH * 0.25)}" cy="${fmt(eyeY - eyeH * 0.3)}" r="${fmt(eyeH * 0.15)}" fill="#fff"/>`);
    canvas.add(`<path d="M${fmt(ex - eyeW)},${fmt(eyeY)} Q${fmt(ex)},${fmt(eyeY - eyeH * 1.6)} ${fmt(ex + eyeW)},${fmt(eyeY)}" fill="none" stroke="#2a1d18" stroke-width="${fmt(eyeH * 0.25)}"/>`);
    const browY = eyeY - eyeH * rng.range(2, 2.8);
    canvas.add(`<path d="M${fmt(ex - side * eyeW * 1.2)},${fmt(browY + eyeH * 0.3)} Q${fmt(ex)},${fmt(browY - eyeH * 0.6)} ${fmt(ex + side * eyeW * 1.3)},${fmt(browY + eyeH * 0.2)}" fill="none" stroke="${rng.bool(0.5) ? hair : brow}" stroke-width="${fmt(eyeH * rng.range(0.35, 0.6))}" stroke-linecap="round"/>`);
  }
  const noseY = cy + headH * rng.range(0.16, 0.22);
  const noseW = headW * rng.range(0.07, 0.1);
  canvas.add(`<path d="M${fmt(cx - noseW * 0.3)},${fmt(eyeY + eyeH)} Q${fmt(cx - noseW * 0.6)},${fmt(noseY - noseW)} ${fmt(cx - noseW)},${fmt(noseY)} Q${fmt(cx)},${fmt(noseY + noseW * 0.6)} ${fmt(cx + noseW)},${fmt(noseY)}" fill="none" stroke="${skinShadow}" stroke-width="${fmt(noseW * 0.3)}" stroke-linecap="round"/>`);
  const mouthY = cy + headH * rng.range(0.3, 0.34);
  const mouthW = headW * rng.range(0.14, 0.2);
  const smile = rng.range(-0.1, 0.5) * mouthW;
  const lips = hsl(rng.range(350, 370), rng.range(0.3, 0.6), rng.range(0.35, 0.55));
  canvas.add(`<path d="M${fmt(cx - mouthW)},${fmt(mouthY)} Q${fmt(cx)},${fmt(mouthY - mouthW * 0.35)} ${fmt(cx + mouthW)},${fmt(mouthY)} Q${fmt(cx)},${fmt(mouthY + mouthW * 0.45 + smile * 0.5)} ${fmt(cx - mouthW)},${fmt(mouthY)} Z" fill="${lips}"/>`);
  canvas.add(`<path d="M${fmt(cx - mouthW)},${fmt(mouthY)} Q${fmt(cx)},${fmt(mouthY + smile)} ${fmt(cx + mouthW)},${fmt(mouthY)}" fill="none" stroke="#3a1612" stroke-width="${fmt(mouthW * 0.08)}"/>`);
  if (rng.bool(0.2)) {
    canvas.add(`<path d="M${fmt(cx - headW * 0.45)},${fmt(cy + headH * 0.05)} Q${fmt(cx - headW * 0.4)},${fmt(cy + headH * 0.5)} ${fmt(cx)},${fmt(cy + headH * 0.53)} Q${fmt(cx + headW * 0.4)},${fmt(cy + headH * 0.5)} ${fmt(cx + headW * 0.45)},${fmt(cy + headH * 0.05)} Q${fmt(cx + headW * 0.3)},${fmt(cy + headH * 0.38)} ${fmt(cx)},${fmt(mouthY + mouthW * 0.6)} Q${fmt(cx - headW * 0.3)},${fmt(cy + headH * 0.38)} ${fmt(cx - headW * 0.45)},${fmt(cy + headH * 0.05)} Z" fill="${hair}" opacity="0.9" filter="${canvas.texture(0.15, 0.15, 2, 0.2)}"/>`);
  }
  if (rng.bool(0.3)) {
    const frame = rng.pick(['#1a1a1a', '#6b4a2b', '#9a9a9a']);
    for (const side of [-1, 1]) {
      canvas.add(`<rect x="${fmt(cx + side * eyeDx - eyeW * 1.5)}" y="${fmt(eyeY - eyeH * 1.8)}" width="${fmt(eyeW * 3)}" height="${fmt(eyeH * 3.2)}" rx="${fmt(eyeW * 0.6)}" fill="#cfe3f0" fill-opacity="0.15" stroke="${frame}" stroke-width="${fmt(eyeW * 0.18)}"/>`);
    }
    canvas.add(`<line x1="${fmt(cx - eyeDx + eyeW * 1.5)}" y1="${fmt(eyeY - eyeH * 0.5)}" x2="${fmt(cx + eyeDx - eyeW * 1.5)}" y2="${fmt(eyeY - eyeH * 0.5)}" stroke="${frame}" stroke-width="${fmt(eyeW * 0.15)}"/>`);
  }
}

function drawHair(canvas: SvgCanvas, cx: number, cy: number, headW: number, headH: number, hair: string): void {
  const { rng } = canvas;
  if (rng.bool(0.1)) return; // bald
  const hairline = cy - headH * rng.range(0.18, 0.3);
  const volume = rng.range(0.05, 0.2) * headH;
  const parting = cx + rng.range(-0.25, 0.25) * headW;
  canvas.add(
    `<path d="M${fmt(cx - headW * 0.54)},${fmt(cy + headH * rng.range(-0.05, 0.1))} C${fmt(cx - headW * 0.62)},${fmt(cy - headH * 0.65 - volume)} ${fmt(cx + headW * 0.62)},${fmt(cy - headH * 0.65 - volume)} ${fmt(cx + headW * 0.54)},${fmt(cy + headH * rng.range(-0.05, 0.1))} Q${fmt(cx + headW * 0.45)},${fmt(hairline)} ${fmt(parting)},${fmt(hairline - headH * 0.04)} Q${fmt(cx - headW * 0.45)},${fmt(hairline)} ${fmt(cx - headW * 0.54)},${fmt(cy + headH * 0.05)} Z" fill="${hair}" filter="${canvas.texture(0.02, 0.2, 3, 0.18)}"/>`,
  );
}
