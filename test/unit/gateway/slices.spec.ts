import { expect } from 'chai';
import { buildSchema, graphql } from 'graphql';
import { forEachSlice, inSlices } from '../../../gateway/slices.js';

/** a pause that always lets the loop poll I/O first, and counts how often it was asked */
function countingPause(): { pause: () => Promise<void>; count: () => number } {
  let n = 0;
  return {
    pause: () => {
      n++;
      return new Promise((resolve) => setImmediate(resolve));
    },
    count: () => n,
  };
}

describe('slices (long answers in pieces)', () => {
  describe('inSlices', () => {
    it('gives the same items in the same order, the first slice as values and the rest after pauses', async () => {
      const items = Array.from({ length: 1000 }, (_, i) => ({ n: i }));
      const { pause, count } = countingPause();
      const sliced = inSlices(items, pause, 300);
      expect(sliced.slice(0, 300).every((item) => !(item instanceof Promise))).to.equal(true);
      expect(sliced.slice(300).every((item) => item instanceof Promise)).to.equal(true);
      expect(await Promise.all(sliced)).to.deep.equal(items);
      // slices 2, 3 and 4 each waited for a pause
      expect(count()).to.equal(3);
    });

    it('leaves a short list as it is', () => {
      const { pause, count } = countingPause();
      expect(inSlices([1, 2, 3], pause, 3)).to.deep.equal([1, 2, 3]);
      expect(count()).to.equal(0);
    });

    it('lets the event loop run between the slices graphql-js completes', async () => {
      const schema = buildSchema('type Item { n: Int! label: String! } type Query { items: [Item!]! }');
      const log: string[] = [];
      // graphql-js' default resolver calls a function field of its source: each item says when its label is completed
      const items = Array.from({ length: 600 }, (_, n) => ({ n, label: () => (log.push(`item ${n}`), `#${n}`) }));
      const { pause } = countingPause();
      const root = {
        items: () => {
          // runs at the loop's next turn (before the first pause's, queued later), which must come before the list is
          // complete; not a 0 ms timer, which a turn taken within the same millisecond would not yet run
          setImmediate(() => log.push('timer'));
          return inSlices(items, pause, 200);
        },
      };
      const answer = await graphql({ schema, source: '{ items { n label } }', rootValue: root });
      expect(answer.errors).to.equal(undefined);
      expect((answer.data as { items: { n: number; label: string }[] }).items.map((i) => i.label)).to.deep.equal(items.map((i) => `#${i.n}`));
      const timer = log.indexOf('timer');
      // the first slice was completed before the loop turned, the last one after
      expect(timer).to.be.greaterThan(log.indexOf('item 199'));
      expect(timer).to.be.lessThan(log.indexOf('item 599'));
    });
  });

  describe('forEachSlice', () => {
    it('visits every item once, in order, pausing between slices only', async () => {
      const { pause, count } = countingPause();
      const seen: number[] = [];
      await forEachSlice(
        Array.from({ length: 10 }, (_, i) => i),
        pause,
        (slice) => void seen.push(...slice),
        4,
      );
      expect(seen).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(count()).to.equal(2);
    });
  });
});
