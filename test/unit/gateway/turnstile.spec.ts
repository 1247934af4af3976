import { expect } from 'chai';
import { createTurnstile } from '../../../gateway/turnstile.js';

/** a turn of the event loop: setImmediate callbacks queued now run after the next poll phase */
const turnOfTheLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const busyFor = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* synchronous work, as a GraphQL operation over the embedded store */
  }
};

describe('turnstile (GraphQL operations take turns with the event loop)', () => {
  it('starts operations in the order they arrived', async () => {
    const turn = createTurnstile();
    const started: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map(async (n) => {
        const finished = await turn();
        started.push(n);
        finished();
      }),
    );
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
  });

  it('lets the loop poll I/O between two slow operations', async () => {
    const turn = createTurnstile(4);
    const log: string[] = [];
    const ops = [0, 1, 2].map(async (n) => {
      const finished = await turn();
      log.push(`op${n}`);
      busyFor(10);
      finished();
    });
    // an I/O callback (what /healthz is) that became ready while the operations were queued
    const io = new Promise<void>((resolve) => setTimeout(() => (log.push('io'), resolve()), 0));
    await Promise.all([...ops, io]);
    // each 10 ms operation uses up its turn: the timer runs before the second starts, not after all three
    expect(log.indexOf('io')).to.be.lessThan(log.indexOf('op1'));
  });

  it('starts quick operations back to back within one turn', async () => {
    const turn = createTurnstile(50);
    let turns = 0;
    let counting = true;
    const count = async (): Promise<void> => {
      while (counting) {
        await turnOfTheLoop();
        turns++;
      }
    };
    const counter = count();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const finished = await turn();
        finished();
      }),
    );
    counting = false;
    await counter;
    // twenty operations of no cost fit in one 50 ms budget: a turn or two, not twenty
    expect(turns).to.be.lessThan(5);
  });

  it('starts the next operation on the next turn while one waits for I/O', async () => {
    const turn = createTurnstile();
    const first = await turn();
    // the first operation now waits for a reply (Redis) and has not finished
    const second = await Promise.race([turn().then(() => 'started'), new Promise((r) => setTimeout(() => r('blocked'), 50))]);
    expect(second).to.equal('started');
    first();
  });
});
