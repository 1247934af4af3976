/**
 * The rule by which `liandong project` replicas share the projection leases (infra/lease/sharedProjections.ts),
 * played out: replicas take free leases and hand held ones over, one move at a time in every order, from every
 * starting split. Whatever the order, every lease ends held, the counts differ by at most one, nobody takes more
 * than the fair share, and no free lease is ever left with nobody allowed to take it.
 */
import { expect } from 'chai';
import { balance } from '../../../infra/lease/sharedProjections.js';

/** the decision of replica `at` given everyone's counts */
const decide = (counts: readonly number[], at: number, total: number) =>
  balance({
    total,
    replicas: counts.length,
    mine: counts[at]!,
    others: counts.filter((_, other) => other !== at),
    free: total - counts.reduce((a, b) => a + b, 0),
  });

/** plays moves (a deterministic pseudo-random order) until nobody wants to move; returns the final counts */
function settle(start: readonly number[], total: number, seed: number): { counts: number[]; moves: number } {
  const counts = [...start];
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
  for (let moves = 0; moves < 1000; moves++) {
    const free = total - counts.reduce((a, b) => a + b, 0);
    const wanting = counts.flatMap((_, at) => {
      const { take, handOver } = decide(counts, at, total);
      return [...(take && free > 0 ? [{ at, delta: 1 }] : []), ...(handOver ? [{ at, delta: -1 }] : [])];
    });
    if (free > 0) expect(wanting.some((m) => m.delta === 1), `a free lease nobody may take at ${counts.join(',')}`).to.equal(true);
    if (wanting.length === 0) return { counts, moves };
    const move = wanting[next() % wanting.length]!;
    counts[move.at]! += move.delta;
  }
  throw new Error(`no settling from ${start.join(',')} (${total} leases)`);
}

/** every way to split up to `total` held leases among `replicas` */
function splits(total: number, replicas: number): number[][] {
  if (replicas === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= total; first++) for (const rest of splits(total - first, replicas - 1)) out.push([first, ...rest]);
  return out;
}

describe('sharing the projection leases among replicas', () => {
  it('hands over only when every lease is held (a free one goes to the replica with fewest instead)', () => {
    expect(decide([2, 2, 0], 0, 4).handOver, 'all held, a gap of two').to.equal(true);
    expect(decide([2, 1, 0], 0, 4).handOver, 'one free: the replica with none takes it').to.equal(false);
  });

  it('settles, from every split and in any order, with every lease held and the counts within one of each other', () => {
    let runs = 0;
    for (let total = 1; total <= 9; total++) {
      for (let replicas = 1; replicas <= 4; replicas++) {
        for (const start of splits(total, replicas)) {
          for (const seed of [1, 7, 42]) {
            const { counts } = settle(start, total, seed);
            runs++;
            expect(counts.reduce((a, b) => a + b, 0), `from ${start.join(',')}`).to.equal(total);
            expect(Math.max(...counts) - Math.min(...counts), `from ${start.join(',')} to ${counts.join(',')}`).to.be.at.most(1);
          }
        }
      }
    }
    expect(runs).to.be.greaterThan(1000);
  });

  it('a replica that joins a lone one that took everything gets its share handed over, one lease at a time', () => {
    expect(decide([3, 0], 0, 3)).to.deep.equal({ take: false, handOver: true });
    // once one is handed over the newcomer takes it; the other keeps its two
    expect(decide([2, 0], 0, 3)).to.deep.equal({ take: false, handOver: false });
    expect(decide([2, 0], 1, 3).take).to.equal(true);
    const { counts } = settle([3, 0], 3, 5);
    expect([...counts].sort()).to.deep.equal([1, 2]);
  });

  it('a replica takes no free lease beyond the fair share, nor while another live replica holds fewer', () => {
    // 4 projections, 2 replicas: the fair share is 2
    expect(decide([2, 1], 0, 4).take).to.equal(false);
    expect(decide([2, 1], 1, 4).take).to.equal(true);
    // 4 projections, 3 replicas: a replica with 1 leaves the free lease to the one with none
    expect(decide([1, 2, 0], 0, 4).take).to.equal(false);
    expect(decide([1, 2, 0], 2, 4).take).to.equal(true);
  });

  it('alone, a replica takes every projection (the survivor after the others died)', () => {
    expect(settle([1], 7, 3).counts).to.deep.equal([7]);
  });
});
