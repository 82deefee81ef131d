import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';

/*
 * The process boundaries, as imports: the bots and the worker run on machines without the
 * trainer or the model zoo (they reach them only through Redis and the model store), and
 * shared/ is what every process stands on, so it imports none of them. gan/ is a library
 * over shared/ that the trainer, the benches and the scripts use.
 */
const forbidden: Record<string, readonly string[]> = {
  bot: ['trainer', 'gan', 'worker', 'cli', 'scripts', 'bench'],
  worker: ['trainer', 'gan', 'bot', 'cli', 'scripts', 'bench'],
  shared: ['bot', 'worker', 'trainer', 'gan', 'cli', 'scripts', 'bench'],
  gan: ['bot', 'worker', 'trainer', 'cli', 'scripts', 'bench'],
};

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Every module specifier a TypeScript source names: `import … from`, `export … from`,
 * side-effect `import '…'`, `import type`, and `import('…')`. Statements are matched at the
 * start of a line, so a comment that mentions one is not; a dynamic import is found anywhere
 * (in a comment too: stricter, never looser).
 */
function moduleSpecifiers(source: string): string[] {
  const patterns = [/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])(.+?)\1/gm, /^\s*import\s*(['"])(.+?)\1/gm, /\bimport\(\s*(['"])(.+?)\1\s*\)/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[2]!));
}

/** The project's top-level folder a relative specifier of `file` lands in; undefined for packages. */
function targetFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.relative(root, path.resolve(path.dirname(file), specifier));
  return target.split(path.sep)[0];
}

async function sourceFiles(): Promise<string[]> {
  const tsconfig = JSON.parse(await readFile(path.join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
  const lists = await Promise.all(
    tsconfig.include.map(async (folder) =>
      (await readdir(path.join(root, folder), { recursive: true }))
        .filter((name) => name.endsWith('.ts') && !name.split(path.sep).includes('node_modules'))
        .map((name) => path.join(root, folder, name)),
    ),
  );
  return lists.flat();
}

it('finds every form of import and re-export, and none that a comment mentions', () => {
  const source = [
    "import assert from 'node:assert/strict';",
    'import {',
    '  a,',
    '  type B,',
    "} from '../trainer/a.js';",
    'import type { C } from "../gan/c.js";',
    "import '../shared/side-effect.js';",
    "export { d } from './d.js';",
    "export * from './e.js';",
    "const f = await import('../bot/f.js');",
    " * an example: import { g } from '../g.js';",
    "// import { h } from '../h.js';",
    "const text = 'from here';",
  ].join('\n');
  assert.deepEqual(moduleSpecifiers(source).sort(), ['../bot/f.js', '../gan/c.js', '../shared/side-effect.js', '../trainer/a.js', './d.js', './e.js', 'node:assert/strict']);
});

it('bot and worker import neither trainer nor gan, shared imports nothing above it, gan only shared', async () => {
  const files = await sourceFiles();
  assert.ok(files.length > 300, `found ${files.length} source files`);
  const violations: string[] = [];
  for (const file of files) {
    const folder = path.relative(root, file).split(path.sep)[0]!;
    const refused = forbidden[folder];
    if (!refused) continue;
    for (const specifier of moduleSpecifiers(await readFile(file, 'utf8'))) {
      const target = targetFolder(file, specifier);
      if (target && refused.includes(target)) violations.push(`${path.relative(root, file)} → ${specifier}`);
    }
  }
  assert.deepEqual(violations, [], `imports across a process boundary:\n${violations.join('\n')}`);
});
