/** domain/catalog/nesting.ts and infra/ingest/arrayElementTexts.ts: nesting measured without recursion, and a batch split into its elements' own texts. */
import { expect } from 'chai';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, nestingDepth, nestsTooDeep } from '../../../domain/catalog/nesting.js';
import { arrayElementTexts } from '../../../infra/ingest/arrayElementTexts.js';

describe('nestingDepth', () => {
  it('counts objects and arrays: a scalar 0, {} and [] 1, {"a":[]} 2', () => {
    expect([1, 'x', null, undefined, true].map((v) => nestingDepth(v))).to.deep.equal([0, 0, 0, 0, 0]);
    expect(nestingDepth({})).to.equal(1);
    expect(nestingDepth([1, 'a'])).to.equal(1);
    expect(nestingDepth({ a: [] })).to.equal(2);
    expect(nestingDepth({ a: 1, b: { c: [{}] }, d: [] })).to.equal(4);
  });

  it('measures a million levels without overflowing, and stops early past the limit', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) as unknown;
    expect(nestingDepth(deep)).to.equal(1_000_000);
    expect(nestingDepth(deep, 32)).to.equal(33);
  });

  it('refuses more than 32 levels, not 32', () => {
    const nest = (levels: number): unknown => JSON.parse(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
    expect(MAX_NESTING_DEPTH).to.equal(32);
    expect(nestsTooDeep(nest(32))).to.equal(false);
    expect(nestsTooDeep(nest(33))).to.equal(true);
  });
});

describe('arrayElementTexts', () => {
  it('gives each element its own text, as sent, for any JSON array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.constantFrom('', ' ', '\n  ', '\t'), (values, space) => {
        const texts = values.map((v) => JSON.stringify(v, null, space.length > 1 ? 2 : undefined));
        const text = `${space}[${space}${texts.join(`${space},${space}`)}${space}]${space}`;
        expect(arrayElementTexts(text)).to.deep.equal(texts);
      }),
      { numRuns: 300 },
    );
    expect(arrayElementTexts('[ "a,]\\"[", {"b":[1,2]} ]')).to.deep.equal(['"a,]\\"["', '{"b":[1,2]}']);
    expect(arrayElementTexts('[]')).to.deep.equal([]);
  });

  it('is null for a text that is not an array', () => {
    expect(arrayElementTexts('{"a":[1]}')).to.equal(null);
    expect(arrayElementTexts('"[1]"')).to.equal(null);
  });
});
