import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { configSchema } from '../../shared/config.js';

it('every setting is documented in the README table and in .env.example', async () => {
  const [readme, example] = await Promise.all([readFile('README.md', 'utf8'), readFile('.env.example', 'utf8')]);
  const settings = Object.keys(configSchema.shape);
  assert.ok(settings.length > 20);
  for (const name of settings) {
    assert.match(readme, new RegExp(`\\\`${name}\\\``), `README documents ${name}`);
    assert.match(example, new RegExp(`\\b${name}=`), `.env.example lists ${name}`);
  }
});
