import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getArchitecture } from '../../gan/index.js';
import { poolSizeFor, trainOptionsFromFlat, trainOptionsSchema } from '../../trainer/training/train-options.js';

describe('pool_size', () => {
  const parse = (flat: Record<string, unknown>) => trainOptionsSchema.parse(trainOptionsFromFlat(flat));

  it('defaults as the reference toolkit: 50 for the CycleGAN family, 0 for paired models', () => {
    assert.equal(poolSizeFor(getArchitecture('cyclegan'), parse({})), 50);
    assert.equal(poolSizeFor(getArchitecture('cyclegan-unet-sa'), parse({})), 50);
    assert.equal(poolSizeFor(getArchitecture('pix2pix'), parse({})), 0);
    assert.equal(poolSizeFor(getArchitecture('ldsgan'), parse({})), 0);
  });

  it('a given pool_size wins, 0 turning the pool off', () => {
    assert.equal(poolSizeFor(getArchitecture('cyclegan'), parse({ pool_size: 0 })), 0);
    assert.equal(poolSizeFor(getArchitecture('cyclegan'), parse({ pool_size: 10 })), 10);
    assert.equal(poolSizeFor(getArchitecture('ldsgan'), parse({ pool_size: 20 })), 20);
    assert.equal(poolSizeFor(getArchitecture('pix2pix'), parse({ pool_size: 0 })), 0);
  });

  it('rejects a pool for architectures without one, and sizes that are not whole numbers ≥ 0', () => {
    assert.throws(() => poolSizeFor(getArchitecture('pix2pix'), parse({ pool_size: 50 })), /pool_size: pix2pix has no pool of past fakes/);
    assert.throws(() => parse({ pool_size: -1 }), /pool_size/);
    assert.throws(() => parse({ pool_size: 2.5 }), /pool_size/);
  });
});
