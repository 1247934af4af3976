import { expect } from 'chai';
import { encodeInPieces } from '../../../gateway/answerBody.js';

/** a pause that counts how often it was asked */
function countingPause(): { pause: () => Promise<void>; count: () => number } {
  let n = 0;
  return { pause: () => (n++, Promise.resolve()), count: () => n };
}

const bytesOf = async (value: unknown): Promise<string> => Buffer.concat(await encodeInPieces(value, () => Promise.resolve())).toString('utf8');

describe('answerBody (an answer encoded in pieces)', () => {
  const cases: [string, unknown][] = [
    ['a number', 42],
    ['null', null],
    ['a string with quotes, a backslash, a newline and Chinese', '案件 "甲" \\ \n'],
    ['a lone surrogate (JSON.stringify escapes it)', { text: 'a\ud800b' }],
    ['an empty object and array', { a: {}, b: [] }],
    ['fields JSON leaves out', { a: undefined, b: () => 1, c: 1, d: Symbol('x') }],
    ['items JSON writes as null', [undefined, () => 1, 2]],
    ['a long list, written in runs, with such items among them', { data: { list: Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? undefined : { i, s: '字'.repeat(i) })) } }],
    ['integer-like keys, which come first', { b: 1, 2: 'two', a: [1, { 1: 'x', z: null }] }],
    ['a value with toJSON', { at: new Date(Date.UTC(2026, 11, 5)), nested: { deep: { deeper: { at: new Date(0) } } } }],
    ['an answer with errors', { errors: [{ message: '无权查看', path: ['meeting', 'attention', 3], extensions: { code: 'FORBIDDEN' } }], data: null }],
  ];
  for (const [name, value] of cases) {
    it(`gives the bytes of JSON.stringify: ${name}`, async () => {
      expect(await bytesOf(value)).to.equal(JSON.stringify(value));
    });
  }

  it('encodes a large answer in pieces, pausing between them, with the same bytes', async () => {
    const attention = Array.from({ length: 3000 }, (_, i) => ({
      reason: 'overdue_handoff',
      detail: `移送逾期 ${i} 个工作日`,
      case: { id: `b-${i}`, title: `案件 ${i}`, status: 'OPEN', agencies: [{ id: 'court' }, { id: 'police' }] },
    }));
    const answer = { data: { meeting: { id: 'm-1', agenda: [], attention } } };
    const { pause, count } = countingPause();
    const pieces = await encodeInPieces(answer, pause);
    const text = JSON.stringify(answer);
    expect(Buffer.concat(pieces).equals(Buffer.from(text, 'utf8'))).to.equal(true);
    expect(pieces.length).to.be.greaterThan(10);
    // a pause per 64 KB of JSON written, give or take the run that crosses the line
    expect(count()).to.be.within(Math.floor(text.length / 65_536) - 1, Math.ceil(text.length / 65_536));
  });
});
