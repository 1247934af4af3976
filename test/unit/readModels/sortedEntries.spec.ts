/**
 * SortedEntries, the embedded store's ordered index, against a plain sorted array over many more entries than
 * the contract suite writes (so chunks split and empty out), plus a rough timing of 100,000 inserts (printed).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import type { IndexEntry, RangeQuery } from '../../../ports/readModelStore.js';
import { compareText } from '../../../infra/readModels/indexOrder.js';
import { SortedEntries } from '../../../infra/readModels/sortedIds.js';

/** a small deterministic generator (mulberry32), so a failure repeats */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byEntry = (a: IndexEntry, b: IndexEntry): number => Buffer.compare(Buffer.from(a.value), Buffer.from(b.value)) || Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));

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

describe('SortedEntries', () => {
  it('answers ranges, pages and counts like a sorted array through 30,000 inserts and removals', () => {
    const next = random(14);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const values = Array.from({ length: 40 }, (_, index) => `v-${String(index).padStart(2, '0')}`).concat(['', 'v\u{ff11}', 'v\u{20000}']);
    const entries = new SortedEntries();
    const model = new Map<string, IndexEntry>();
    const check = (): void => {
      const sorted = [...model.values()].sort(byEntry);
      expect(entries.size).to.equal(sorted.length);
      for (let probe = 0; probe < 5; probe++) {
        const query: RangeQuery = {
          from: next() < 0.3 ? undefined : pick(values),
          to: next() < 0.3 ? undefined : pick(values),
          limit: 1 + Math.floor(next() * 700),
          reverse: next() < 0.5,
          after: next() < 0.5 ? null : { value: pick(values), id: `id-${Math.floor(next() * 3000)}` },
        };
        const inRange = sorted.filter(
          (entry) => (query.from === undefined || compareText(entry.value, query.from) >= 0) && (query.to === undefined || compareText(entry.value, query.to) <= 0),
        );
        const ordered = query.reverse ? [...inRange].reverse() : inRange;
        const after = query.after ?? null;
        const remaining = after === null ? ordered : ordered.filter((entry) => byEntry(entry, after) * (query.reverse ? -1 : 1) > 0);
        const page = entries.range(query);
        expect(page.entries).to.deep.equal(remaining.slice(0, query.limit));
        expect(page.next).to.deep.equal(remaining.length > query.limit ? remaining[query.limit - 1] : null);
        expect(entries.count(query)).to.equal(inRange.length);
        const value = pick(values);
        expect(entries.idsOf(value)).to.deep.equal(sorted.filter((entry) => entry.value === value).map((entry) => entry.id));
      }
    };
    for (let step = 0; step < 30_000; step++) {
      const entry = { value: pick(values), id: `id-${Math.floor(next() * 3000)}` };
      const key = `${entry.value}\0${entry.id}`;
      // grow for the first half, then shrink: chunks split, then empty out
      if (next() < (step < 15_000 ? 0.8 : 0.25)) {
        entries.add(entry.value, entry.id);
        model.set(key, entry);
      } else {
        entries.delete(entry.value, entry.id);
        model.delete(key);
      }
      if (step % 1000 === 999) check();
    }
    check();
  });

  it('inserts 100,000 entries in scattered order, then 1,000 more one by one (timing printed)', () => {
    const entries = new SortedEntries();
    const agencies = Array.from({ length: 20 }, (_, index) => `ly-agency-${String(index).padStart(2, '0')}`);
    let started = performance.now();
    for (let index = 0; index < 100_000; index++) {
      const scattered = (index * 7919) % 100_000;
      entries.add(`${agencies[scattered % 20]}|2026-${String(1 + (scattered % 12)).padStart(2, '0')}-${String(1 + (scattered % 28)).padStart(2, '0')}`, `clock-${scattered}`);
    }
    // the index was empty, so the inserts were staged: the first read sorts them, and is part of the cost
    expect(entries.size).to.equal(100_000);
    const insert = performance.now() - started;
    for (let index = 0; index < 1000; index++) entries.add(`ly-agency-00|2026-06-${String(index % 28).padStart(2, '0')}`, `late-${index}`);
    const lateInserts = performance.now() - started - insert;
    started = performance.now();
    for (let index = 0; index < 1000; index++) entries.range({ from: `${agencies[index % 20]}|2026-06`, limit: 50 });
    const pages = performance.now() - started;
    expect(entries.size).to.equal(101_000);
    console.log(
      `      SortedEntries: 100,000 scattered inserts into an empty index ${insert.toFixed(0)} ms; ` +
        `then 1,000 inserts one by one ${((lateInserts * 1000) / 1000).toFixed(2)} µs each; ` +
        `a 50-entry page ${((pages * 1000) / 1000).toFixed(1)} µs`,
    );
  });
});
