import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Config } from '../../shared/config.js';
import { fuzzedCorpus, hostileCorpus, problemsOf, resultsTable, runThroughQueue, startCorpusPipeline, startReferenceTrap, type CorpusResult } from '../helpers/hostile-corpus.js';
import { makePhoto } from '../helpers/images.js';
import type { TestProducer } from '../helpers/pipeline.js';

/** Mutants per run: enough to shake the decoders, bounded so the test stays under a minute. */
const fuzzCount = 40;
const fuzzSeed = 13;

describe('hostile input corpus and fuzzer through the real queue and worker', () => {
  let pipeline: Awaited<ReturnType<typeof startCorpusPipeline>>;
  let producer: TestProducer;
  let config: Config;
  let trap: Awaited<ReturnType<typeof startReferenceTrap>>;
  let results: CorpusResult[];
  let tensorsBefore: number;

  before(async () => {
    pipeline = await startCorpusPipeline();
    ({ producer, config } = pipeline);
    trap = await startReferenceTrap();
    // One photo first, so that the model is loaded before tensors are counted.
    await runThroughQueue(producer, [{ name: 'warm-up', bytes: await makePhoto(32, 32), expected: ['ok'] }]);
    tensorsBefore = tf.memory().numTensors;
    results = await runThroughQueue(producer, [...(await hostileCorpus(trap.url)), ...(await fuzzedCorpus(fuzzCount, fuzzSeed))]);
    console.log(resultsTable(results, config.MAX_OUTPUT_SIDE));
  });

  after(async () => {
    await trap.close();
    await pipeline.close();
  });

  it('has at least 60 made files and the fuzzed ones', () => {
    assert.ok(results.length - fuzzCount >= 60, `${results.length - fuzzCount} corpus files`);
  });

  it('every file gets the right answer in time: a styled image of the right size and orientation, or its own refusal, never retried', () => {
    const wrong = results.flatMap((r) => problemsOf(r, config.MAX_OUTPUT_SIDE).map((p) => `${r.file.name}: ${p}`));
    assert.deepEqual(wrong, []);
  });

  it('every EXIF orientation 1-8 comes out upright, the marker in its displayed corner', () => {
    const exif = results.filter((r) => r.file.markerCorner);
    assert.equal(exif.length, 8);
    for (const r of exif) assert.deepEqual(problemsOf(r, config.MAX_OUTPUT_SIDE), [], r.file.name);
  });

  it('SVGs with external references are refused without fetching anything', () => {
    const svgs = results.filter((r) => r.file.name.startsWith('svg'));
    assert.ok(svgs.length >= 4);
    for (const r of svgs) assert.notEqual(r.got, 'ok', r.file.name);
    assert.equal(trap.requests(), 0, 'no request reached the referenced server');
  });

  it('the worker is still up and serving, and no tensor leaked', async () => {
    const [next] = await runThroughQueue(producer, [{ name: 'after the corpus', bytes: await makePhoto(48, 32), expected: ['ok'], displayed: { width: 48, height: 32 } }]);
    assert.deepEqual(problemsOf(next!, config.MAX_OUTPUT_SIDE), []);
    assert.equal(tf.memory().numTensors, tensorsBefore);
  });
});
