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
        const finished = await turn.enter();
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
      const finished = await turn.enter();
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
        const finished = await turn.enter();
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
    const first = await turn.enter();
    // the first operation now waits for a reply (Redis) and has not finished
    const second = await Promise.race([turn.enter().then(() => 'started'), new Promise((r) => setTimeout(() => r('blocked'), 50))]);
    expect(second).to.equal('started');
    first();
  });

  it('lets the loop poll I/O between the pieces of one long operation', async () => {
    const turn = createTurnstile(4);
    const log: string[] = [];
    const finished = await turn.enter();
    const io = new Promise<void>((resolve) => setTimeout(() => (log.push('io'), resolve()), 0));
    for (const piece of [0, 1, 2]) {
      log.push(`piece${piece}`);
      busyFor(10);
      await turn.pause();
    }
    finished();
    await io;
    // the first 10 ms piece used up the turn: the timer ran before the second piece, not after the last
    expect(log.indexOf('io')).to.be.greaterThan(log.indexOf('piece0'));
    expect(log.indexOf('io')).to.be.lessThan(log.indexOf('piece1'));
  });

  it('goes on at once when the pause comes within the turn', async () => {
    const turn = createTurnstile(1000);
    const finished = await turn.enter();
    let turned = false;
    setImmediate(() => (turned = true));
    for (let i = 0; i < 100; i++) await turn.pause();
    // a hundred pauses of no work in a 1 s budget: no turn of the loop between them
    expect(turned).to.equal(false);
    finished();
  });

  it('finishes a paused operation before starting one that arrived later', async () => {
    const turn = createTurnstile(4);
    const log: string[] = [];
    const long = (async () => {
      const finished = await turn.enter();
      busyFor(10);
      const next = turn.enter().then((done) => (log.push('second started'), done()));
      await turn.pause();
      log.push('first resumed');
      finished();
      await next;
    })();
    await long;
    expect(log).to.deep.equal(['first resumed', 'second started']);
  });

  it('resumes after I/O on a turn, never at once, even with budget left', async () => {
    const turn = createTurnstile(1000);
    const finished = await turn.enter();
    let turned = false;
    setImmediate(() => (turned = true));
    await turn.resume();
    // queued before resume(), the immediate ran first: resume() waited for a turn although the budget was unspent
    expect(turned).to.equal(true);
    finished();
  });

  it('meters what one piece of I/O released together, one after another within each turn', async () => {
    const turn = createTurnstile(4);
    let release!: () => void;
    const io = new Promise<void>((resolve) => (release = resolve));
    let turns = 0;
    let counting = true;
    const counter = (async () => {
      while (counting) {
        await turnOfTheLoop();
        turns++;
      }
    })();
    const wentOnIn: number[] = [];
    const operations = Array.from({ length: 10 }, async () => {
      const finished = await turn.enter();
      await io; // each waits for the same reply (the access log's group commit)
      await turn.resume();
      wentOnIn.push(turns);
      busyFor(2);
      finished();
    });
    // the reply comes while a turn has just begun: its budget is unspent
    const replying = turn.enter().then((finished) => {
      release();
      finished();
    });
    await Promise.all([...operations, replying]);
    counting = false;
    await counter;
    // 10 × 2 ms with a 4 ms budget: at most two go on in one turn (a third would start 4 ms in), so five turns by the
    // arithmetic, four asked for; gone on at once, all ten would be in the turn of the reply
    expect(new Set(wentOnIn).size).to.be.at.least(4);
  });
});
