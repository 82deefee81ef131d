import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { recordInputMultiples } from '../../gan/save-generator.js';
import { DirectoryModelStore } from '../../shared/models/directory-model-store.js';
import { resolveInputMultiple } from '../../shared/models/layers-model-io.js';
import { tinyModelStore } from '../helpers/tiny-model.js';

const shippedModels = path.resolve(import.meta.dirname, '../../models');

it('a version saved before inputMultiple gets the one its architecture implies; others are left as they are', async () => {
  // A store with a tiny model of an architecture outside the zoo, and the shipped sketch model with its meta as it was before the field.
  const { store } = await tinyModelStore(['toon']);
  const version = (await new DirectoryModelStore(shippedModels).current('sketch'))!;
  await cp(path.join(shippedModels, 'sketch', version), path.join(store.root, 'sketch', version), { recursive: true });
  const metaOf = async (style: string) => (await store.versions(style))[0]!.meta;
  /** Rewrites a version's meta.json without `inputMultiple`; returns what it was. */
  const predate = async (style: string) => {
    const file = path.join(store.root, style, (await metaOf(style)).version, 'meta.json');
    const { inputMultiple, ...legacy } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify(legacy));
    return inputMultiple;
  };
  assert.equal(await predate('sketch'), 16, 'the shipped meta records it');
  assert.equal(await predate('toon'), null, 'a network saved without the zoo is recorded as letterboxed');
  assert.equal(resolveInputMultiple(await metaOf('sketch')), undefined, 'without it the worker letterboxes');
  const toonBefore = await metaOf('toon');

  assert.deepEqual(await recordInputMultiples(store), [`sketch/${version}`]);
  assert.equal(resolveInputMultiple(await metaOf('sketch')), 16, 'pix2pix-unetpp of depth 4 runs at multiples of 16');
  assert.deepEqual(await metaOf('toon'), toonBefore, 'the version outside the zoo is unchanged');
  assert.deepEqual(await recordInputMultiples(store), [], 'a second pass has nothing to do');
});
