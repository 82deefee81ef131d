import { fmt, hsl, points, type SvgCanvas } from './svg-canvas.js';

/**
 * Outdoor scenes: a sky (day, sunset, overcast or dusk) with sun and clouds, hazy
 * mountain ranges, rolling hills or a flat ground with texture, and in front of them
 * trees, houses along a road, and people. `street` puts houses and people first;
 * `landscape` keeps to nature with an occasional lake and flowers.
 */
export function drawOutdoorScene(canvas: SvgCanvas, kind: 'landscape' | 'street'): void {
  const { rng } = canvas;
  const horizon = rng.range(380, 620);
  const sky = drawSky(canvas, horizon);
  if (rng.bool(0.8)) drawMountains(canvas, horizon, sky.haze);
  const ground = groundPalette(canvas);
  drawGround(canvas, horizon, ground);
  if (kind === 'landscape') {
    if (rng.bool(0.35)) drawLake(canvas, horizon, sky.top, sky.bottom);
    const trees = rng.int(2, 9);
    for (let i = 0; i < trees; i++) drawTree(canvas, rng.range(-50, 1050), horizon + rng.range(0, 1000 - horizon) * rng.next(), horizon, ground);
    if (rng.bool(0.5)) drawFlowers(canvas, horizon);
    if (rng.bool(0.3)) drawPerson(canvas, rng.range(100, 900), rng.range(horizon + 80, 980), horizon);
  } else {
    const road = drawRoad(canvas, horizon);
    const houses = rng.int(1, 4);
    for (let i = 0; i < houses; i++) {
      const left = rng.bool();
      const x = left ? rng.range(-100, road.left - 150) : rng.range(road.right - 50, 900);
      drawHouse(canvas, x, horizon + rng.range(10, 120), rng.range(160, 360));
    }
    for (let i = rng.int(0, 4); i > 0; i--) drawTree(canvas, rng.range(-50, 1050), rng.range(horizon + 60, 1000), horizon, ground);
    for (let i = rng.int(1, 5); i > 0; i--) drawPerson(canvas, rng.range(50, 950), rng.range(horizon + 60, 990), horizon);
  }
}

interface SkyColors {
  top: string;
  bottom: string;
  /** The colour distant things fade towards. */
  haze: string;
}

function drawSky(canvas: SvgCanvas, horizon: number): SkyColors {
  const { rng } = canvas;
  const mood = rng.pick(['day', 'day', 'sunset', 'overcast', 'dusk'] as const);
  const hue = rng.range(195, 225);
  const colors: SkyColors =
    mood === 'day'
      ? { top: hsl(hue, rng.range(0.5, 0.8), rng.range(0.38, 0.55)), bottom: hsl(hue - 10, rng.range(0.4, 0.7), rng.range(0.78, 0.9)), haze: hsl(hue, 0.3, 0.78) }
      : mood === 'sunset'
        ? { top: hsl(rng.range(220, 260), 0.45, rng.range(0.25, 0.4)), bottom: hsl(rng.range(15, 45), 0.85, rng.range(0.6, 0.72)), haze: hsl(rng.range(10, 30), 0.4, 0.6) }
        : mood === 'overcast'
          ? { top: hsl(hue, rng.range(0.05, 0.2), rng.range(0.5, 0.65)), bottom: hsl(hue, 0.1, rng.range(0.75, 0.88)), haze: hsl(hue, 0.08, 0.75) }
          : { top: hsl(rng.range(225, 250), 0.5, rng.range(0.08, 0.16)), bottom: hsl(rng.range(250, 290), 0.35, rng.range(0.3, 0.42)), haze: hsl(250, 0.2, 0.3) };
  const middle = mood === 'sunset' ? hsl(rng.range(300, 350), 0.45, 0.5) : colors.bottom;
  canvas.add(`<rect width="1000" height="${fmt(horizon + 40)}" fill="${canvas.linearGradient([[0, colors.top], [0.65, middle], [1, colors.bottom]])}"/>`);

  if (mood !== 'overcast' && rng.bool(0.6)) {
    const cx = rng.range(80, 920);
    const cy = rng.range(60, horizon - 40);
    const r = rng.range(25, 60);
    const core = mood === 'dusk' ? '#f4f1e0' : mood === 'sunset' ? hsl(rng.range(25, 45), 1, 0.7) : '#fffbe8';
    const glow = canvas.radialGradient([[0, core, 0.9], [0.3, core, 0.35], [1, core, 0]]);
    canvas.add(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(r * 4)}" fill="${glow}"/>`);
    canvas.add(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(r)}" fill="${core}"/>`);
  }
  const clouds = mood === 'overcast' ? rng.int(5, 10) : rng.int(0, 5);
  for (let i = 0; i < clouds; i++) drawCloud(canvas, rng.range(-100, 1100), rng.range(20, horizon * 0.75), mood === 'dusk' ? 0.35 : 0.85);
  return colors;
}

function drawCloud(canvas: SvgCanvas, x: number, y: number, lightness: number): void {
  const { rng } = canvas;
  const width = rng.range(120, 380);
  const light = hsl(rng.range(200, 230), 0.15, lightness + rng.range(-0.05, 0.1));
  const shade = hsl(rng.range(200, 230), 0.12, lightness - rng.range(0.1, 0.25));
  canvas.group(`filter="${canvas.blur(rng.range(4, 14))}" opacity="${fmt(rng.range(0.55, 0.95))}"`, () => {
    for (let i = rng.int(4, 9); i > 0; i--) {
      const cx = x + rng.range(-width / 2, width / 2);
      const cy = y + rng.range(-width / 8, width / 10);
      const rx = rng.range(width / 6, width / 3);
      const ry = rx * rng.range(0.4, 0.7);
      canvas.add(`<ellipse cx="${fmt(cx)}" cy="${fmt(cy + ry * 0.25)}" rx="${fmt(rx)}" ry="${fmt(ry)}" fill="${shade}"/>`);
      canvas.add(`<ellipse cx="${fmt(cx)}" cy="${fmt(cy)}" rx="${fmt(rx * 0.92)}" ry="${fmt(ry * 0.85)}" fill="${light}"/>`);
    }
  });
}

/** Ridges by midpoint displacement; farther ranges are lighter and closer to the haze colour. */
function drawMountains(canvas: SvgCanvas, horizon: number, haze: string): void {
  const { rng } = canvas;
  const ranges = rng.int(1, 3);
  const hue = rng.range(190, 260);
  for (let r = 0; r < ranges; r++) {
    const depth = (ranges - r) / ranges;
    const base = horizon + 5;
    const peak = rng.range(120, 300) * (1 - 0.3 * r);
    const ridge = midpointRidge(canvas, 7, peak * 0.55).map(([x, y]) => [x, base - peak * 0.45 - y] as const);
    const color = hsl(hue + rng.range(-20, 20), rng.range(0.1, 0.3), 0.62 - 0.35 * (1 - depth) + rng.range(-0.05, 0.05));
    const outline = points([[0, base], ...ridge, [1000, base]]);
    canvas.add(`<polygon points="${outline}" fill="${canvas.linearGradient([[0, color], [1, haze]])}" filter="${canvas.texture(0.01, 0.03, 3, 0.06)}"/>`);
    if (rng.bool(0.3)) {
      // Snow caps: the ridge again, clipped to its top part, in white.
      const snowLine = Math.min(...ridge.map(([, y]) => y)) + rng.range(15, 40);
      const clip = canvas.clipPath(`<rect width="1000" height="${fmt(snowLine)}"/>`);
      canvas.add(`<polygon points="${outline}" fill="#f4f6fa" opacity="0.85" clip-path="${clip}"/>`);
    }
  }
}

function midpointRidge(canvas: SvgCanvas, levels: number, amplitude: number): [number, number][] {
  const { rng } = canvas;
  let ys = [rng.range(0, amplitude), rng.range(0, amplitude)];
  let spread = amplitude;
  for (let level = 0; level < levels; level++) {
    const next: number[] = [];
    for (let i = 0; i < ys.length - 1; i++) {
      const a = ys[i] as number;
      const b = ys[i + 1] as number;
      next.push(a, Math.max(0, (a + b) / 2 + rng.range(-spread, spread) * 0.5));
    }
    next.push(ys[ys.length - 1] as number);
    ys = next;
    spread *= 0.55;
  }
  return ys.map((y, i) => [(i / (ys.length - 1)) * 1000, y]);
}

interface GroundPalette {
  near: string;
  far: string;
  /** Hue and lightness of plants that grow on it. */
  foliageHue: number;
  foliageLightness: number;
}

function groundPalette(canvas: SvgCanvas): GroundPalette {
  const { rng } = canvas;
  const season = rng.pick(['summer', 'summer', 'spring', 'autumn', 'dry', 'snow'] as const);
  switch (season) {
    case 'summer':
      return { near: hsl(rng.range(85, 120), 0.45, 0.3), far: hsl(rng.range(80, 110), 0.35, 0.5), foliageHue: rng.range(90, 130), foliageLightness: 0.28 };
    case 'spring':
      return { near: hsl(rng.range(70, 95), 0.55, 0.42), far: hsl(rng.range(75, 95), 0.45, 0.62), foliageHue: rng.range(80, 110), foliageLightness: 0.4 };
    case 'autumn':
      return { near: hsl(rng.range(30, 50), 0.45, 0.33), far: hsl(rng.range(35, 55), 0.35, 0.5), foliageHue: rng.range(15, 45), foliageLightness: 0.42 };
    case 'dry':
      return { near: hsl(rng.range(35, 48), 0.45, 0.5), far: hsl(rng.range(38, 50), 0.4, 0.68), foliageHue: rng.range(60, 90), foliageLightness: 0.3 };
    case 'snow':
      return { near: hsl(210, 0.15, 0.86), far: hsl(210, 0.2, 0.78), foliageHue: rng.range(120, 160), foliageLightness: 0.2 };
  }
}

function drawGround(canvas: SvgCanvas, horizon: number, palette: GroundPalette): void {
  const { rng } = canvas;
  const hills = rng.int(1, 3);
  for (let h = 0; h < hills; h++) {
    const top = horizon + (h * (1000 - horizon)) / (hills + 1) - rng.range(0, 40);
    const a = top + rng.range(-60, 60);
    const b = top + rng.range(-60, 60);
    const fill = canvas.linearGradient([[0, palette.far], [1, palette.near]]);
    canvas.add(
      `<path d="M0,${fmt(a)} C${fmt(rng.range(150, 450))},${fmt(top - rng.range(0, 80))} ${fmt(rng.range(550, 850))},${fmt(top + rng.range(-40, 80))} 1000,${fmt(b)} L1000,1000 L0,1000 Z" fill="${fill}" filter="${canvas.texture(0.004 + 0.01 * rng.next(), 0.03 + 0.05 * rng.next(), 4, rng.range(0.06, 0.16))}"/>`,
    );
  }
}

function drawLake(canvas: SvgCanvas, horizon: number, skyTop: string, skyBottom: string): void {
  const { rng } = canvas;
  const top = horizon + rng.range(10, 60);
  const height = rng.range(80, 250);
  const left = rng.range(-200, 400);
  const width = rng.range(400, 1100);
  const water = canvas.linearGradient([[0, skyBottom], [1, skyTop]]);
  canvas.add(
    `<ellipse cx="${fmt(left + width / 2)}" cy="${fmt(top + height / 2)}" rx="${fmt(width / 2)}" ry="${fmt(height / 2)}" fill="${water}" filter="${canvas.texture(0.002, 0.12, 2, 0.12)}"/>`,
  );
}

function drawTree(canvas: SvgCanvas, x: number, baseY: number, horizon: number, palette: GroundPalette): void {
  const { rng } = canvas;
  const scale = 0.25 + (1.6 * (baseY - horizon)) / (1000 - horizon);
  const height = rng.range(180, 380) * scale;
  const foliage = hsl(palette.foliageHue + rng.range(-15, 15), rng.range(0.3, 0.6), palette.foliageLightness + rng.range(-0.08, 0.08));
  const lit = hsl(palette.foliageHue + rng.range(-10, 20), 0.5, palette.foliageLightness + 0.18);
  const dark = hsl(palette.foliageHue, 0.4, Math.max(0.06, palette.foliageLightness - 0.14));
  canvas.add(`<ellipse cx="${fmt(x + height * 0.12)}" cy="${fmt(baseY)}" rx="${fmt(height * 0.35)}" ry="${fmt(height * 0.05)}" fill="#000" opacity="0.25" filter="${canvas.blur(3)}"/>`);
  if (rng.bool(0.3)) {
    // Conifer: stacked triangles on a short trunk.
    const w = height * rng.range(0.35, 0.5);
    canvas.add(`<rect x="${fmt(x - w * 0.06)}" y="${fmt(baseY - height * 0.2)}" width="${fmt(w * 0.12)}" height="${fmt(height * 0.2)}" fill="#4a3626"/>`);
    const fill = canvas.linearGradient([[0, lit], [1, dark]], 0, 0, 1, 0);
    for (let t = 0; t < 3; t++) {
      const top = baseY - height + t * height * 0.22;
      const half = (w / 2) * (0.6 + 0.25 * t);
      canvas.add(`<polygon points="${points([[x, top], [x + half, top + height * 0.45], [x - half, top + height * 0.45]])}" fill="${fill}" filter="${canvas.texture(0.05, 0.08, 2, 0.12)}"/>`);
    }
    return;
  }
  const trunkWidth = height * rng.range(0.06, 0.1);
  canvas.add(
    `<path d="M${fmt(x - trunkWidth)},${fmt(baseY)} L${fmt(x - trunkWidth * 0.4)},${fmt(baseY - height * 0.6)} L${fmt(x + trunkWidth * 0.4)},${fmt(baseY - height * 0.6)} L${fmt(x + trunkWidth)},${fmt(baseY)} Z" fill="${hsl(rng.range(20, 35), 0.3, rng.range(0.18, 0.3))}"/>`,
  );
  const crown = canvas.radialGradient([[0, lit], [0.6, foliage], [1, dark]], 0.5, 0.5, 0.6, 0.35, 0.3);
  const texture = canvas.texture(0.04, 0.04, 3, 0.15);
  canvas.group(`filter="${texture}"`, () => {
    const crownY = baseY - height * 0.7;
    const crownR = height * rng.range(0.25, 0.35);
    for (let i = rng.int(5, 9); i > 0; i--) {
      const cx = x + rng.range(-crownR, crownR) * 0.8;
      const cy = crownY + rng.range(-crownR, crownR) * 0.6;
      canvas.add(`<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(crownR * rng.range(0.45, 0.75))}" fill="${crown}"/>`);
    }
  });
}

function drawFlowers(canvas: SvgCanvas, horizon: number): void {
  const { rng } = canvas;
  const hue = rng.pick([0, 50, 280, 330, 210, 30]);
  for (let i = rng.int(10, 40); i > 0; i--) {
    const y = rng.range(horizon + (1000 - horizon) * 0.4, 1000);
    const r = 3 + (12 * (y - horizon)) / (1000 - horizon);
    canvas.add(`<circle cx="${fmt(rng.range(0, 1000))}" cy="${fmt(y)}" r="${fmt(r)}" fill="${hsl(hue + rng.range(-15, 15), 0.75, rng.range(0.5, 0.75))}"/>`);
  }
}

function drawRoad(canvas: SvgCanvas, horizon: number): { left: number; right: number } {
  const { rng } = canvas;
  const vanish = rng.range(300, 700);
  const left = rng.range(-300, 250);
  const right = rng.range(750, 1300);
  const asphalt = hsl(rng.range(200, 230), 0.05, rng.range(0.25, 0.45));
  canvas.add(
    `<polygon points="${points([[vanish - 8, horizon], [vanish + 8, horizon], [right, 1000], [left, 1000]])}" fill="${asphalt}" filter="${canvas.texture(0.3, 0.3, 2, 0.1)}"/>`,
  );
  for (let t = 0.05; t < 1; t += 0.14) {
    const t2 = t + 0.06;
    const y1 = horizon + (1000 - horizon) * t * t;
    const y2 = horizon + (1000 - horizon) * t2 * t2;
    const xc1 = vanish + ((left + right) / 2 - vanish) * t * t;
    const xc2 = vanish + ((left + right) / 2 - vanish) * t2 * t2;
    canvas.add(`<line x1="${fmt(xc1)}" y1="${fmt(y1)}" x2="${fmt(xc2)}" y2="${fmt(y2)}" stroke="#e8e4d0" stroke-width="${fmt(2 + 10 * t)}"/>`);
  }
  return { left: (left + vanish) / 2, right: (right + vanish) / 2 };
}

function drawHouse(canvas: SvgCanvas, x: number, baseY: number, width: number): void {
  const { rng } = canvas;
  const height = width * rng.range(0.55, 0.9);
  const wall = rng.pick([hsl(rng.range(30, 50), 0.3, rng.range(0.7, 0.85)), hsl(rng.range(0, 15), 0.45, rng.range(0.35, 0.5)), hsl(rng.range(190, 220), 0.15, rng.range(0.55, 0.75)), '#efece6']);
  const side = rng.range(0.15, 0.35) * width;
  const top = baseY - height;
  const roofHeight = height * rng.range(0.35, 0.7);
  const roof = hsl(rng.pick([5, 15, 25, 210]), rng.range(0.2, 0.5), rng.range(0.2, 0.35));
  // Side wall in shade, then the front, then the roof over both.
  const sideWall = points([[x + width, baseY], [x + width + side, baseY - side * 0.35], [x + width + side, top - side * 0.35], [x + width, top]]);
  canvas.add(`<polygon points="${sideWall}" fill="${wall}" filter="${canvas.texture(0.08, 0.08, 2, 0.08)}"/><polygon points="${sideWall}" fill="#000" opacity="0.28"/>`);
  canvas.add(`<rect x="${fmt(x)}" y="${fmt(top)}" width="${fmt(width)}" height="${fmt(height)}" fill="${wall}" filter="${canvas.texture(0.08, 0.08, 2, 0.08)}"/>`);
  canvas.add(
    `<polygon points="${points([[x - width * 0.06, top], [x + width / 2, top - roofHeight], [x + width + side * 0.5, top - roofHeight - side * 0.2], [x + width + side + width * 0.04, top - side * 0.35]])}" fill="${roof}" filter="${canvas.texture(0.05, 0.25, 2, 0.12)}"/>`,
  );
  const glass = canvas.linearGradient([[0, hsl(205, 0.35, rng.range(0.55, 0.8))], [1, hsl(215, 0.3, rng.range(0.2, 0.4))]], 0, 0, 1, 1);
  const cols = rng.int(2, 4);
  const rows = rng.int(1, 2);
  const w = (width / (cols * 2 + 1)) * 1.1;
  const h = w * rng.range(1, 1.5);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const wx = x + (width / cols) * (c + 0.5) - w / 2;
      const wy = top + height * 0.15 + r * (h * 1.6);
      if (wy + h > baseY - height * 0.1) continue;
      canvas.add(`<rect x="${fmt(wx - 3)}" y="${fmt(wy - 3)}" width="${fmt(w + 6)}" height="${fmt(h + 6)}" fill="#f5f3ee"/>`);
      canvas.add(`<rect x="${fmt(wx)}" y="${fmt(wy)}" width="${fmt(w)}" height="${fmt(h)}" fill="${glass}"/>`);
      canvas.add(`<line x1="${fmt(wx + w / 2)}" y1="${fmt(wy)}" x2="${fmt(wx + w / 2)}" y2="${fmt(wy + h)}" stroke="#f5f3ee" stroke-width="2.5"/>`);
    }
  }
  const doorW = width * 0.14;
  canvas.add(`<rect x="${fmt(x + width * rng.range(0.2, 0.7))}" y="${fmt(baseY - doorW * 2)}" width="${fmt(doorW)}" height="${fmt(doorW * 2)}" fill="${hsl(rng.range(0, 40), 0.4, rng.range(0.15, 0.35))}"/>`);
}

/** A standing figure: head, torso with arms, legs; sized by distance from the horizon. */
function drawPerson(canvas: SvgCanvas, x: number, footY: number, horizon: number): void {
  const { rng } = canvas;
  const height = 40 + (420 * (footY - horizon)) / (1000 - horizon);
  const u = height / 8; // a head height
  const skin = hsl(rng.range(15, 35), rng.range(0.3, 0.55), rng.range(0.3, 0.75));
  const shirt = hsl(rng.range(0, 360), rng.range(0.2, 0.7), rng.range(0.25, 0.65));
  const trousers = hsl(rng.range(200, 240), rng.range(0.1, 0.4), rng.range(0.12, 0.35));
  const hair = hsl(rng.range(20, 40), rng.range(0.2, 0.5), rng.range(0.08, 0.45));
  const lean = rng.range(-0.05, 0.05) * height;
  canvas.add(`<ellipse cx="${fmt(x + u)}" cy="${fmt(footY)}" rx="${fmt(u * 1.6)}" ry="${fmt(u * 0.25)}" fill="#000" opacity="0.3" filter="${canvas.blur(2)}"/>`);
  const stride = rng.range(0, 0.6) * u;
  canvas.add(`<path d="M${fmt(x - u * 0.5)},${fmt(footY - 4 * u)} L${fmt(x - u * 0.45 - stride)},${fmt(footY)} L${fmt(x - u * 0.05 - stride)},${fmt(footY)} L${fmt(x)},${fmt(footY - 3 * u)} L${fmt(x + u * 0.05 + stride)},${fmt(footY)} L${fmt(x + u * 0.45 + stride)},${fmt(footY)} L${fmt(x + u * 0.5)},${fmt(footY - 4 * u)} Z" fill="${trousers}"/>`);
  const torsoPath = `M${fmt(x - u * 0.55 + lean * 0.5)},${fmt(footY - 4.1 * u)} L${fmt(x - u * 0.8 + lean)},${fmt(footY - 6.6 * u)} Q${fmt(x + lean)},${fmt(footY - 7.1 * u)} ${fmt(x + u * 0.8 + lean)},${fmt(footY - 6.6 * u)} L${fmt(x + u * 0.55 + lean * 0.5)},${fmt(footY - 4.1 * u)} Z`;
  const shading = canvas.linearGradient([[0, '#000', 0], [1, '#000', 0.35]], 0, 0, 1, 0);
  canvas.add(`<path d="${torsoPath}" fill="${shirt}"/><path d="${torsoPath}" fill="${shading}"/>`);
  for (const sideSign of [-1, 1]) {
    const swing = rng.range(-0.6, 0.6) * u;
    canvas.add(`<line x1="${fmt(x + sideSign * u * 0.75 + lean)}" y1="${fmt(footY - 6.4 * u)}" x2="${fmt(x + sideSign * u * 0.95 + swing + lean * 0.4)}" y2="${fmt(footY - 3.9 * u)}" stroke="${shirt}" stroke-width="${fmt(u * 0.35)}" stroke-linecap="round"/>`);
    canvas.add(`<circle cx="${fmt(x + sideSign * u * 0.95 + swing + lean * 0.4)}" cy="${fmt(footY - 3.8 * u)}" r="${fmt(u * 0.17)}" fill="${skin}"/>`);
  }
  canvas.add(`<rect x="${fmt(x - u * 0.15 + lean)}" y="${fmt(footY - 7.2 * u)}" width="${fmt(u * 0.3)}" height="${fmt(u * 0.4)}" fill="${skin}"/>`);
  canvas.add(`<ellipse cx="${fmt(x + lean)}" cy="${fmt(footY - 7.6 * u)}" rx="${fmt(u * 0.42)}" ry="${fmt(u * 0.52)}" fill="${skin}"/>`);
  canvas.add(`<path d="M${fmt(x - u * 0.45 + lean)},${fmt(footY - 7.55 * u)} Q${fmt(x + lean)},${fmt(footY - 8.5 * u)} ${fmt(x + u * 0.45 + lean)},${fmt(footY - 7.55 * u)} Q${fmt(x + lean)},${fmt(footY - 7.95 * u)} ${fmt(x - u * 0.45 + lean)},${fmt(footY - 7.55 * u)} Z" fill="${hair}"/>`);
}
