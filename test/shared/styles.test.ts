import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../shared/errors.js';
import { resolveStyle, styleInCaption, styleNamed } from '../../shared/styles.js';

describe('style names', () => {
  it('a style is named by its key or its label, in any case and with punctuation around it', () => {
    for (const name of ['toon', 'Toon', 'Cartoon', 'CARTOON!', ' cartoon ']) assert.equal(styleNamed(name), 'toon', name);
    assert.equal(styleNamed('Pencil sketch'), 'sketch');
    assert.equal(styleNamed('pencil'), undefined, 'part of a label is no name');
    assert.equal(styleNamed('watercolour', ['watercolour']), 'watercolour', 'an installed style outside the catalogue');
  });

  it('a caption asks for the first style named anywhere in it, or for a "/name" or "/style name" at its start; other captions ask for none', () => {
    const cases: [string | undefined, string | undefined][] = [
      ['Make it toon please', 'toon'],
      ['cartoon!', 'toon'],
      ['as a Pencil Sketch, then toon', 'sketch'],
      ['/toon', 'toon'],
      ['/toon@anime_bot my dog', 'toon'],
      ['/style Cartoon', 'toon'],
      ['/vaporwave', 'vaporwave'],
      ['my holiday in Rome', undefined],
      ['', undefined],
      [undefined, undefined],
    ];
    for (const [caption, style] of cases) assert.equal(styleInCaption(caption), style, `caption ${JSON.stringify(caption)}`);
  });

  it('a style without a model falls back to the default, else to another installed style; with none installed the refusal says what was asked for', () => {
    assert.deepEqual(resolveStyle('Cartoon', ['sketch', 'toon'], 'sketch'), { style: 'toon' });
    assert.deepEqual(resolveStyle('anime', ['sketch', 'toon'], 'sketch'), { style: 'sketch', requestedStyle: 'anime' });
    assert.deepEqual(resolveStyle(undefined, ['toon'], 'sketch'), { style: 'toon', requestedStyle: 'sketch' });
    const refusal = (requested: string | undefined) => {
      try {
        resolveStyle(requested, [], 'sketch');
      } catch (err) {
        assert.ok(err instanceof UserError);
        return `${err.code}: ${err.message}`;
      }
      return 'no refusal';
    };
    assert.equal(refusal(undefined), 'no_model: No style is available yet: no trained model is installed. Please try again later.');
    assert.equal(refusal('toon'), 'no_model: Cartoon has no trained model installed yet, and no other style is available either. Please try again later.');
    assert.match(refusal('vaporwave'), /^unknown_style: There is no style called "vaporwave"/);
  });
});
