import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from '../../../infra/heapGrowth.js';

describe('the heap growing factor a liandong process sets (infra/heapGrowth.ts)', () => {
  it('is 50 % unless LIANDONG_HEAP_GROWING_PERCENT says otherwise; 0 gives the choice back to V8', () => {
    expect(DEFAULT_HEAP_GROWING_PERCENT).to.equal(50);
    expect(heapGrowingPercent({})).to.equal(50);
    expect(heapGrowingPercent({ LIANDONG_HEAP_GROWING_PERCENT: ' ' })).to.equal(50);
    expect(heapGrowingPercent({ LIANDONG_HEAP_GROWING_PERCENT: '20' })).to.equal(20);
    expect(heapGrowingPercent({ LIANDONG_HEAP_GROWING_PERCENT: '0' })).to.equal(0);
  });

  it('answers a value it cannot use with what to write instead', () => {
    for (const given of ['abc', '-1', '12.5', '1001']) {
      const answer = heapGrowingPercent({ LIANDONG_HEAP_GROWING_PERCENT: given });
      expect(answer, given).to.be.a('string');
      expect(answer).to.include('0–1000 的整数').and.include(`"${given}"`);
    }
  });

  it('names a flag the V8 of this Node.js knows (setFlagsFromString ignores one it does not)', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    expect(options).to.match(/^\s*--heap-growing-percent\b/m);
  });

  it('the program refuses to start with a value it cannot use, and starts with one it can', function () {
    this.timeout(30_000);
    const bin = fileURLToPath(new URL('../../../bin/liandong.mjs', import.meta.url));
    const run = (value: string) => spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', env: { ...process.env, LIANDONG_HEAP_GROWING_PERCENT: value } });
    const refused = run('viel');
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.include('LIANDONG_HEAP_GROWING_PERCENT 应为 0–1000 的整数');
    const started = run('30');
    expect(started.status, started.stderr).to.equal(0);
    expect(started.stdout).to.match(/^liandong /);
  });
});
