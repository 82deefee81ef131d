import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getArchitecture } from '../../gan/index.js';
import { knownStyles, styleCatalogue } from '../../shared/styles.js';
import { datasetRecipes, pairedTargetStyles } from '../../trainer/data/dataset-recipes.js';
import { styleProfile, styleProfiles } from '../../trainer/style-profiles.js';

/*
 * The style registry (shared/styles.ts) is what bots, worker and trainer read; the trainer's
 * profiles and `npm run data:build`'s recipes are keyed by it. They must describe the same
 * styles, and a profile must train on the registry's dataset with an architecture of the zoo.
 */

it('every style of the registry has a training profile on its dataset, and a recipe that builds that dataset; nothing else has either', () => {
  assert.deepEqual(Object.keys(styleProfiles).sort(), [...knownStyles].sort(), 'profiles');
  assert.deepEqual(Object.keys(datasetRecipes).sort(), [...knownStyles].sort(), 'dataset recipes');
  for (const style of knownStyles) {
    const profile = styleProfile(style);
    assert.ok(profile, `${style} has a profile`);
    assert.equal(profile.dataset, styleCatalogue[style].dataset, `${style}'s profile trains on the registry's dataset`);
    assert.doesNotThrow(() => getArchitecture(profile.architecture), `${style}'s architecture ${profile.architecture} is in the zoo`);
  }
  assert.deepEqual(pairedTargetStyles, ['sketch', 'toon'], 'data:build draws targets for the paired styles');
  assert.equal(styleProfile('vaporwave'), undefined, 'a name outside the registry has no profile');
  assert.equal(styleProfile('toString'), undefined, 'nor does a property every object has');
});
