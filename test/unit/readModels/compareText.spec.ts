/**
 * compareText, the order the Redis store and replay share with SQLite's BINARY collation: code points, i.e. the
 * UTF-8 byte order, whatever JavaScript's UTF-16 `<` says.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { compareText } from '../../../infra/readModels/indexOrder.js';

describe('compareText', () => {
  it('orders as UTF-8 bytes do (code points), for any text', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('a', '\u{ff11}', '\u{e000}', '\u{ffff}', '\u{20000}', '\u{10ffff}', '\0') }));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareText(a, b))).to.equal(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
      { numRuns: 2000 },
    );
  });
});
