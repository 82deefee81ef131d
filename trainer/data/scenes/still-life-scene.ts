import { fmt, hsl, type SvgCanvas } from './svg-canvas.js';

/**
 * An indoor table-top: a wall (sometimes with a window of daylight), a wooden or cloth
 * table seen in perspective, and on it fruit, cups, bottles and books with soft shadows,
 * lit from one side.
 */
export function drawStillLifeScene(canvas: SvgCanvas): void {
  const { rng } = canvas;
  const tableY = rng.range(420, 650);
  const wall = hsl(rng.range(0, 360), rng.range(0.05, 0.35), rng.range(0.35, 0.85));
  canvas.add(`<rect width="1000" height="${fmt(tableY + 5)}" fill="${canvas.linearGradient([[0, wall], [1, hsl(0, 0, 0.1)]], 0, 0, 1, 0.6)}" opacity="1"/>`);
  canvas.add(`<rect width="1000" height="${fmt(tableY + 5)}" fill="${wall}" opacity="0.6" filter="${canvas.texture(0.02, 0.02, 3, 0.08)}"/>`);
  if (rng.bool(0.4)) {
    const wx = rng.range(50, 650);
    const ww = rng.range(180, 320);
    canvas.add(`<rect x="${fmt(wx)}" y="${fmt(tableY - ww * 1.4)}" width="${fmt(ww)}" height="${fmt(ww * 1.1)}" fill="${canvas.linearGradient([[0, '#eef6ff'], [1, hsl(205, 0.4, 0.75)]])}" stroke="#f4f1ea" stroke-width="14"/>`);
    canvas.add(`<line x1="${fmt(wx + ww / 2)}" y1="${fmt(tableY - ww * 1.4)}" x2="${fmt(wx + ww / 2)}" y2="${fmt(tableY - ww * 0.3)}" stroke="#f4f1ea" stroke-width="10"/>`);
  }
  const wood = rng.bool(0.65);
  const tableColor = wood ? hsl(rng.range(18, 38), rng.range(0.35, 0.6), rng.range(0.22, 0.5)) : hsl(rng.range(0, 360), rng.range(0.2, 0.6), rng.range(0.3, 0.8));
  canvas.add(
    `<polygon points="0,${fmt(tableY)} 1000,${fmt(tableY)} 1000,1000 0,1000" fill="${tableColor}" filter="${wood ? canvas.texture(0.003, 0.06, 4, 0.2) : canvas.texture(0.05, 0.05, 2, 0.08)}"/>`,
  );
  canvas.add(`<rect y="${fmt(tableY)}" width="1000" height="${fmt(1000 - tableY)}" fill="${canvas.linearGradient([[0, '#000', 0.25], [1, '#fff', 0.08]])}"/>`);

  const lightFromLeft = rng.bool();
  const objects = rng.int(1, 4);
  const placed = Array.from({ length: objects }, () => ({ x: rng.range(80, 920), y: rng.range(tableY + 40, 960) })).sort((a, b) => a.y - b.y);
  for (const { x, y } of placed) {
    const scale = 1.1 + (1.6 * (y - tableY)) / (1000 - tableY);
    const kind = rng.pick(['fruit', 'fruit', 'cup', 'bottle', 'books'] as const);
    const shadowX = x + (lightFromLeft ? 1 : -1) * 40 * scale;
    canvas.add(`<ellipse cx="${fmt(shadowX)}" cy="${fmt(y)}" rx="${fmt(110 * scale)}" ry="${fmt(22 * scale)}" fill="#000" opacity="0.35" filter="${canvas.blur(8)}"/>`);
    const highlight = lightFromLeft ? 0.3 : 0.7;
    if (kind === 'fruit') drawFruit(canvas, x, y, 70 * scale, highlight);
    else if (kind === 'cup') drawCup(canvas, x, y, 90 * scale, highlight);
    else if (kind === 'bottle') drawBottle(canvas, x, y, 300 * scale, highlight);
    else drawBooks(canvas, x, y, 200 * scale);
  }
}

function drawFruit(canvas: SvgCanvas, x: number, y: number, r: number, highlight: number): void {
  const { rng } = canvas;
  const hue = rng.pick([0, 10, 30, 50, 80, 100, 340]);
  const color = hsl(hue + rng.range(-8, 8), rng.range(0.6, 0.9), rng.range(0.35, 0.55));
  const fill = canvas.radialGradient([[0, '#ffffff'], [0.12, hsl(hue, 0.8, 0.7)], [0.6, color], [1, hsl(hue, 0.7, 0.15)]], 0.5, 0.5, 0.6, highlight, 0.3);
  canvas.add(`<ellipse cx="${fmt(x)}" cy="${fmt(y - r * 0.9)}" rx="${fmt(r * rng.range(0.95, 1.1))}" ry="${fmt(r)}" fill="${fill}"/>`);
  canvas.add(`<path d="M${fmt(x)},${fmt(y - r * 1.8)} q${fmt(r * 0.1)},${fmt(-r * 0.3)} ${fmt(r * 0.25)},${fmt(-r * 0.4)}" stroke="#4a3320" stroke-width="${fmt(r * 0.08)}" fill="none"/>`);
}

function drawCup(canvas: SvgCanvas, x: number, y: number, w: number, highlight: number): void {
  const { rng } = canvas;
  const hue = rng.range(0, 360);
  const base = hsl(hue, rng.range(0, 0.6), rng.range(0.3, 0.92));
  const body = canvas.linearGradient([[0, hsl(hue, 0.3, 0.15)], [highlight, base], [1, hsl(hue, 0.3, 0.12)]], 0, 0, 1, 0);
  const h = w * rng.range(0.9, 1.3);
  canvas.add(`<path d="M${fmt(x + w * 0.55)},${fmt(y - h * 0.75)} c${fmt(w * 0.45)},0 ${fmt(w * 0.45)},${fmt(h * 0.5)} 0,${fmt(h * 0.55)}" stroke="${base}" stroke-width="${fmt(w * 0.12)}" fill="none"/>`);
  canvas.add(`<path d="M${fmt(x - w / 2)},${fmt(y - h)} L${fmt(x + w / 2)},${fmt(y - h)} L${fmt(x + w * 0.42)},${fmt(y - w * 0.08)} Q${fmt(x)},${fmt(y + w * 0.08)} ${fmt(x - w * 0.42)},${fmt(y - w * 0.08)} Z" fill="${body}"/>`);
  canvas.add(`<ellipse cx="${fmt(x)}" cy="${fmt(y - h)}" rx="${fmt(w / 2)}" ry="${fmt(w * 0.14)}" fill="${hsl(hue, 0.2, 0.85)}"/>`);
  canvas.add(`<ellipse cx="${fmt(x)}" cy="${fmt(y - h + w * 0.02)}" rx="${fmt(w * 0.42)}" ry="${fmt(w * 0.1)}" fill="${hsl(rng.range(20, 35), 0.6, rng.range(0.12, 0.4))}"/>`);
}

function drawBottle(canvas: SvgCanvas, x: number, y: number, h: number, highlight: number): void {
  const { rng } = canvas;
  const hue = rng.pick([100, 130, 30, 200, 0]);
  const glass = canvas.linearGradient([[0, hsl(hue, 0.6, 0.1)], [highlight, hsl(hue, 0.5, 0.55)], [1, hsl(hue, 0.6, 0.08)]], 0, 0, 1, 0);
  const w = h * rng.range(0.22, 0.3);
  canvas.add(
    `<path d="M${fmt(x - w / 2)},${fmt(y)} L${fmt(x - w / 2)},${fmt(y - h * 0.6)} Q${fmt(x - w / 2)},${fmt(y - h * 0.75)} ${fmt(x - w * 0.15)},${fmt(y - h * 0.82)} L${fmt(x - w * 0.15)},${fmt(y - h)} L${fmt(x + w * 0.15)},${fmt(y - h)} L${fmt(x + w * 0.15)},${fmt(y - h * 0.82)} Q${fmt(x + w / 2)},${fmt(y - h * 0.75)} ${fmt(x + w / 2)},${fmt(y - h * 0.6)} L${fmt(x + w / 2)},${fmt(y)} Z" fill="${glass}" opacity="0.92"/>`,
  );
  if (rng.bool(0.6)) {
    canvas.add(`<rect x="${fmt(x - w / 2)}" y="${fmt(y - h * 0.45)}" width="${fmt(w)}" height="${fmt(h * 0.22)}" fill="${hsl(rng.range(0, 360), 0.3, rng.range(0.6, 0.9))}"/>`);
  }
}

function drawBooks(canvas: SvgCanvas, x: number, y: number, w: number): void {
  const { rng } = canvas;
  let top = y;
  for (let i = rng.int(1, 4); i > 0; i--) {
    const h = w * rng.range(0.1, 0.18);
    const bw = w * rng.range(0.8, 1.1);
    const dx = rng.range(-0.08, 0.08) * w;
    canvas.add(`<rect x="${fmt(x - bw / 2 + dx)}" y="${fmt(top - h)}" width="${fmt(bw)}" height="${fmt(h)}" fill="${hsl(rng.range(0, 360), rng.range(0.3, 0.7), rng.range(0.2, 0.55))}"/>`);
    canvas.add(`<rect x="${fmt(x - bw / 2 + dx + bw * 0.03)}" y="${fmt(top - h * 0.8)}" width="${fmt(bw * 0.94)}" height="${fmt(h * 0.6)}" fill="#efe8d8"/>`);
    top -= h;
  }
}
