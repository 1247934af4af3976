import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { BACKGROUND_NICE, runBehindEventLoop } from '../../infra/threadPriority.js';

/** a thread's nice value, from its own /proc stat (field 19; the name in field 2 is in parentheses) */
const niceOf = (statPath: string): number => Number(readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ')[16]);

const MODULE = new URL('../../infra/threadPriority.ts', import.meta.url).href;

/**
 * runs runBehindEventLoop in a worker thread; answers what it returned, the thread's /proc path (`<pid>/task/<tid>`)
 * and the nice the kernel then reports for that thread (read here, before the worker ends)
 */
function inWorker(): Promise<{ set: number | null; nice: number; tid: string }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    // a worker does not inherit the tsx loader (infra/workerEntry.ts says why): it registers it first
    import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(MODULE)}); }).then(({ runBehindEventLoop }) => {
      // a port with a listener keeps the thread alive until terminated, so its /proc entry can be read
      parentPort.on('message', () => undefined);
      parentPort.postMessage({ set: runBehindEventLoop(), tid: readlinkSync('/proc/thread-self') });
    });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (answer: { set: number | null; tid: string }) => {
      const nice = niceOf(`/proc/${answer.tid}/stat`);
      void worker.terminate().then(() => resolve({ ...answer, nice }));
    });
    worker.once('error', reject);
  });
}

describe('background threads run behind the event loop (infra/threadPriority.ts)', () => {
  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  it('lowers a worker thread, and only that thread, by BACKGROUND_NICE', async () => {
    const loopBefore = niceOf(`/proc/self/task/${process.pid}/stat`);
    const answer = await inWorker();
    expect(answer.tid).to.match(new RegExp(`^${process.pid}/task/\\d+$`));
    expect(answer.set).to.equal(Math.min(19, loopBefore + BACKGROUND_NICE));
    expect(answer.nice, 'what the kernel reports for that thread').to.equal(answer.set);
    expect(niceOf(`/proc/self/task/${process.pid}/stat`), 'the event loop keeps its priority').to.equal(loopBefore);
  });

  it('leaves the main thread alone: it is the event loop', () => {
    const before = niceOf(`/proc/self/task/${process.pid}/stat`);
    expect(runBehindEventLoop()).to.equal(null);
    expect(niceOf(`/proc/self/task/${process.pid}/stat`)).to.equal(before);
  });
});
