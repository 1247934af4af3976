import { expect } from 'chai';
import { withEntry } from '../../../../domain/shared/keyed.js';

describe('withEntry (an id-keyed map with one entry set)', () => {
  it('adds a new key last and replaces an existing one in its place, as a spread would', () => {
    const map = { b: 1, a: 2 };
    expect(Object.keys(withEntry(map, 'c', 3))).to.deep.equal(Object.keys({ ...map, c: 3 }));
    expect(Object.entries(withEntry(map, 'b', 9))).to.deep.equal(Object.entries({ ...map, b: 9 }));
    expect(JSON.stringify(withEntry(withEntry({}, 'h-2', { id: 'h-2' }), 'h-1', { id: 'h-1' }))).to.equal('{"h-2":{"id":"h-2"},"h-1":{"id":"h-1"}}');
  });

  it('leaves the map it was given as it was and keeps the other values (the same objects)', () => {
    const kept = { id: 'h1' };
    const map = Object.freeze({ h1: kept });
    const next = withEntry(map, 'h2', { id: 'h2' });
    expect(map).to.deep.equal({ h1: kept });
    expect(next['h1']).to.equal(kept);
    expect(next).to.not.equal(map);
  });

  it('takes any id as a key, "__proto__" and "constructor" too, as its own entry', () => {
    const next = withEntry(withEntry({}, '__proto__', 1), 'constructor', 2);
    expect(Object.keys(next)).to.deep.equal(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(next))).to.deep.equal(JSON.parse('{"__proto__":1,"constructor":2}'));
    expect('toString' in next, 'no inherited members').to.equal(false);
  });
});
