import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  fuzzedCorpus,
  hostileCorpus,
  problemsOf,
  refusalSeconds,
  resultSeconds,
  resultsTable,
  runThroughQueue,
  startCorpusPipeline,
  startReferenceTrap,
} from '../test/helpers/hostile-corpus.js';

/**
 * `npm run docs:hostile-input`: sends the hostile input corpus and the fuzzer's mutants
 * through a private Redis and a real translate worker (what test/worker/hostile-input.test.ts
 * checks) and writes the results table to docs/hostile-input.md.
 */
const { values } = parseArgs({
  options: {
    fuzz: { type: 'string', default: '40' },
    seed: { type: 'string', default: '13' },
    out: { type: 'string', default: 'docs/hostile-input.md' },
  },
});
const fuzzCount = Number(values.fuzz);
const seed = Number(values.seed);

const pipeline = await startCorpusPipeline();
const trap = await startReferenceTrap();
try {
  const files = [...(await hostileCorpus(trap.url)), ...(await fuzzedCorpus(fuzzCount, seed))];
  const results = [];
  for (const [index, file] of files.entries()) {
    results.push(...(await runThroughQueue(pipeline.producer, [file])));
    if ((index + 1) % 20 === 0 || index + 1 === files.length) console.log(`${index + 1}/${files.length} files (${Math.round((100 * (index + 1)) / files.length)} %)`);
  }
  const max = pipeline.config.MAX_OUTPUT_SIDE;
  const failing = results.filter((r) => problemsOf(r, max).length > 0).length;
  const slowest = Math.max(...results.map((r) => r.seconds));
  const doc = `# Hostile input

Written by \`npm run docs:hostile-input\` (\`-- --fuzz ${fuzzCount} --seed ${seed}\`); edit the script, not this file.
Every file below is made in code (test/helpers/hostile-corpus.ts) and sent through the real
queue to a real translate worker (tiny test models, the default limits: 20 MB, 40 megapixels).
The same run is a test: \`test/worker/hostile-input.test.ts\`.

A file passes when it gets one of its expected answers — a styled image of the displayed size
(EXIF orientation applied: the red marker in the corner where a viewer shows it), or the
refusal with its own message for the user — within ${refusalSeconds} s for a refusal
(${resultSeconds} s for an image), without retries. Fuzzed files are mutants of valid seeds
(bytes flipped, runs overwritten, blocks deleted or repeated, the tail cut): any image or a
damaged-image refusal is right, a crash or a hang is not. SVGs point at a loopback server:
it got ${trap.requests()} requests.

${results.length} files, ${results.length - failing} pass, ${failing} fail; slowest answer ${slowest.toFixed(2)} s.

${resultsTable(results, max)}
`;
  await writeFile(values.out, doc);
  console.log(`wrote ${values.out}: ${results.length} files, ${failing} failing, ${trap.requests()} external requests`);
  process.exitCode = failing > 0 ? 1 : 0;
} finally {
  await trap.close();
  await pipeline.close();
}
