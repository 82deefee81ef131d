import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ConfigError, loadConfig } from '../shared/config.js';
import { sharp } from '../shared/image/sharp.js';
import { createLogger } from '../shared/logger.js';
import { DirectoryModelStore } from '../shared/models/directory-model-store.js';
import { RedisNotInstalledError, startLocalRedis } from '../shared/process/local-redis.js';
import { gridPhotos } from '../trainer/data/photo-sources.js';
import { renderSampleGrid, type GridCell } from '../trainer/reports/sample-grid.js';
import { startTranslateWorker } from '../worker/translate-worker.js';

/**
 * `npm run docs:styles`: the photos × styles grid of docs/styles/README.md. Every output is
 * made by `npm run cli -- translate` (a child process per image) through the translate
 * queue, served by a private Redis and a translate worker that this script starts (so the
 * grid shows the models in MODELS_DIR, whatever REDIS_URL points at). It writes grid.png and
 * rewrites the README's grid section (between the style-grid markers) with the photos'
 * sources: the Debian package each file belongs to (dpkg -S) and its path.
 */

const usage = `usage: npm run docs:styles -- [--photos <list file>] [--styles anime,sketch,toon] [--size <px>] [--cell <px>] [--out <dir>] [photo ...]
  --photos  a file with one photo per line: <path> [| <subject>]  (# starts a comment); default: the held-out grid
            photos of trainer/data/photo-sources.ts (never in any training set)
  photo     photos given directly (subject: the file name); they replace the list file
  --styles  the columns after the input (default anime,sketch,toon); a style without a model keeps its column, marked "no model"
  --size    longest side of each translation, in pixels (default 768)
  --cell    side of a grid cell in grid.png, in pixels (default 384)
  --out     where grid.png and README.md are (default docs/styles)`;

const gridStart = '<!-- style-grid:start (written by `npm run docs:styles`; edit the script, not this section) -->';
const gridEnd = '<!-- style-grid:end -->';

interface Photo {
  file: string;
  subject: string;
}

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      photos: { type: 'string' },
      styles: { type: 'string', default: 'anime,sketch,toon' },
      size: { type: 'string', default: '768' },
      cell: { type: 'string', default: '384' },
      out: { type: 'string', default: 'docs/styles' },
    },
  });
  const size = wholePixels('--size', values.size, 64, 4096);
  const cell = wholePixels('--cell', values.cell, 64, 2048);
  const styles = values.styles
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!styles.length) throw new UsageError('--styles names no style');
  const photos = positionals.length
    ? positionals.map((file) => ({ file, subject: path.parse(file).name }))
    : values.photos
      ? await readPhotoList(values.photos)
      : gridPhotos.map((p) => ({ file: p.file, subject: p.what }));
  for (const { file } of photos) {
    await access(file).catch(() => {
      throw new UsageError(`cannot read the photo ${file}`);
    });
  }

  const config = loadConfig();
  const logger = createLogger({ ...config, LOG_LEVEL: process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn' }, 'docs-styles');
  const store = new DirectoryModelStore(config.MODELS_DIR);
  const versions = new Map<string, string | undefined>();
  for (const style of styles) versions.set(style, await store.current(style));
  const served = styles.filter((s) => versions.get(s));
  for (const style of styles.filter((s) => !versions.get(s))) log(`no model for "${style}" in ${config.MODELS_DIR}: its column says so`);

  const work = await mkdtemp(path.join(os.tmpdir(), 'animebot-docs-styles-'));
  const redis = await startLocalRedis({ dir: path.join(work, 'redis') });
  const worker = await startTranslateWorker({ config, logger, redisUrl: redis.url, healthPort: false });
  const started = performance.now();
  try {
    const rows: GridCell[][] = [];
    let done = 0;
    const total = photos.length * served.length;
    for (const [i, photo] of photos.entries()) {
      const row: GridCell[] = [await cellImage(photo.file, cell)];
      for (const style of styles) {
        if (!versions.get(style)) {
          row.push({ note: `no ${style} model installed` });
          continue;
        }
        const out = path.join(work, `${i}-${style}.png`);
        log(`[${++done}/${total} ${Math.round((100 * (done - 1)) / total)}%] ${path.basename(photo.file)} × ${style}`);
        const line = await runCli(['translate', photo.file, '--style', style, '--size', String(size), '--out', out], redis.url);
        // The CLI names the style it used: a fallback to another style must not pass for this one.
        if (!line.includes(` ${style} (model ${versions.get(style)},`)) throw new Error(`translate of ${photo.file} with ${style} reported: ${line}`);
        row.push(await cellImage(out, cell));
      }
      rows.push(row);
    }
    log(`[${total}/${total} 100%] composing the grid (${Math.round((performance.now() - started) / 1000)} s so far)`);
    await mkdir(values.out, { recursive: true });
    const gridFile = path.join(values.out, 'grid.png');
    await writeFile(gridFile, await renderSampleGrid(rows, ['input', ...styles], cell));
    const readme = path.join(values.out, 'README.md');
    const section = await gridSection({ photos, styles, versions, size, cell, argv });
    await writeFile(readme, replaceSection(await readFile(readme, 'utf8').catch(() => ''), section));
    log(`wrote ${gridFile} and the grid section of ${readme}`);
  } finally {
    await worker.close();
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
}

function wholePixels(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= min && n <= max)) throw new UsageError(`${flag} must be a whole number of pixels from ${min} to ${max}`);
  return n;
}

async function readPhotoList(file: string): Promise<Photo[]> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the photo list ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const photos = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const [file = '', subject] = line.split('|').map((part) => part.trim());
      return { file, subject: subject || path.parse(file).name };
    });
  if (!photos.length) throw new UsageError(`the photo list ${file} names no photo`);
  return photos;
}

/** Runs `npm run cli -- <args>` against the private Redis; returns its last line of output. */
function runCli(args: string[], redisUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'cli', '--', ...args], { env: { ...process.env, REDIS_URL: redisUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(last);
      else reject(new Error(`npm run cli -- ${args.join(' ')} exited with ${code}: ${stderr.trim() || last}`));
    });
  });
}

/** An image file fitted inside a cell×cell grid cell, as raw RGB. */
async function cellImage(file: string, cell: number): Promise<GridCell> {
  const { data, info } = await sharp(file)
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .resize(cell, cell, { fit: 'inside' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: data, width: info.width, height: info.height };
}

/** The Debian package that installed `file` (dpkg -S), if any. */
async function debianPackage(file: string): Promise<string | undefined> {
  const real = await realpath(file);
  try {
    const { stdout } = await promisify(execFile)('dpkg', ['-S', real]);
    return stdout.split(':')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

async function gridSection(o: { photos: Photo[]; styles: string[]; versions: Map<string, string | undefined>; size: number; cell: number; argv: string[] }): Promise<string> {
  const sources = await Promise.all(
    o.photos.map(async (p, i) => {
      const meta = await sharp(p.file).metadata();
      const pkg = await debianPackage(p.file);
      return `| ${i + 1} | ${p.subject} | ${pkg ? `\`${pkg}\`` : 'not from a Debian package'} | \`${p.file}\` | ${meta.autoOrient.width}×${meta.autoOrient.height} |`;
    }),
  );
  const models = o.styles.map((s) => `\`${s}\` ${o.versions.get(s) ? `model ${o.versions.get(s)}` : '— no model installed (its column says so)'}`).join('; ');
  return [
    gridStart,
    '## Photos × styles',
    '',
    `![input | ${o.styles.join(' | ')}](grid.png)`,
    '',
    `Made by \`npm run docs:styles${o.argv.length ? ` -- ${o.argv.join(' ')}` : ''}\`: each output by \`npm run cli -- translate <photo> --style <style> --size ${o.size}\``,
    `through the translate queue (a private Redis and translate worker that the script starts), ${o.size} px on the longest`,
    `side, shown here fitted into ${o.cell} px cells. Models: ${models}.`,
    '',
    '| row | subject | Debian package | file | photo size |',
    '|---|---|---|---|---|',
    ...sources,
    gridEnd,
  ].join('\n');
}

/** The README with its grid section replaced, or appended when it has none. */
function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(gridStart);
  const end = readme.indexOf(gridEnd);
  if (start >= 0 && end > start) return readme.slice(0, start) + section + readme.slice(end + gridEnd.length);
  return `${readme.trimEnd()}\n\n${section}\n`;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof ConfigError || err instanceof RedisNotInstalledError;
    console.error(`error: ${err instanceof Error ? err.message : String(err)}${err instanceof UsageError ? `\n${usage}` : ''}`);
    process.exit(known ? 2 : 1);
  },
);
