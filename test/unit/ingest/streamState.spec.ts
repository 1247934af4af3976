import { expect } from 'chai';
import { packState, StreamStateCache, unpackState } from '../../../infra/ingest/streamState.js';

/** a case-like state: many handoffs that differ in little, Chinese text, an optional field left undefined */
function caseState(id: string, handoffs: number) {
  const map: Record<string, unknown> = {};
  for (let i = 1; i <= handoffs; i++) {
    map[`${id}-h${i}`] = {
      id: `${id}-h${i}`,
      from: 'xj-court',
      to: i % 2 ? 'xj-justice' : 'xj-procuratorate',
      purpose: 'entrusted_mediation',
      status: i % 3 ? 'RECEIVED' : 'REQUESTED',
      requestedAt: `2024-09-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00+08:00`,
      receivedAt: i % 3 ? '2024-09-30T09:00:00+08:00' : null,
      extensionDays: 0,
      note: '委托调解：请于法定期限内反馈调解结果',
    };
  }
  return { status: 'open', id, title: '买卖合同纠纷', agencies: ['xj-court', 'xj-justice'], handoffs: map, judgment: null, dispute: undefined, amount: 12.5 };
}

describe('the ingest pipeline’s cache of decided states (infra/ingest/streamState.ts)', () => {
  it('gives back the state it was given, field for field (undefined ones included), with its revision and generation', () => {
    const cache = new StreamStateCache(10);
    const state = caseState('c-1', 30);
    cache.set('case-c-1', { state, revision: 41, generation: 3 });
    const got = cache.get('case-c-1')!;
    expect(got.state).to.deep.equal(state);
    expect(Object.keys(got.state as object)).to.include('dispute');
    expect(got.revision).to.equal(41);
    expect(got.generation).to.equal(3);
    // a fresh copy each time: a caller that changed one could not change what the next one gets
    expect(cache.get('case-c-1')!.state).not.to.equal(got.state);
  });

  it('keeps a case state in a fraction of its JSON', () => {
    const state = caseState('c-2', 33);
    const packed = packState(state)!;
    expect(unpackState(packed)).to.deep.equal(state);
    expect(packed.length).to.be.below(JSON.stringify(state).length / 4);
    // its own bytes, not a view of a larger buffer (zlib's output chunk, a pool) that the entry would keep alive
    expect(packed.buffer.byteLength).to.equal(packed.length);
  });

  it('drops the least recently used stream beyond its count, a read counting as a use', () => {
    const cache = new StreamStateCache(2);
    cache.set('a', { state: { n: 1 }, revision: 0, generation: 0 });
    cache.set('b', { state: { n: 2 }, revision: 0, generation: 0 });
    cache.get('a');
    cache.set('c', { state: { n: 3 }, revision: 0, generation: 0 });
    expect(cache.get('b')).to.equal(undefined);
    expect(cache.get('a')?.state).to.deep.equal({ n: 1 });
    expect(cache.get('c')?.state).to.deep.equal({ n: 3 });
    expect(cache.size).to.equal(2);
  });

  it('holds no more packed bytes than it is allowed, dropping the oldest first', () => {
    const one = packState(caseState('x', 20))!.length;
    const cache = new StreamStateCache(1000, 3 * one + one / 2);
    for (let i = 1; i <= 10; i++) cache.set(`case-${i}`, { state: caseState('x', 20), revision: i, generation: 0 });
    expect(cache.size).to.equal(3);
    expect(cache.packedBytes).to.be.at.most(3 * one + one / 2);
    expect([8, 9, 10].map((i) => cache.get(`case-${i}`)?.revision)).to.deep.equal([8, 9, 10]);
    expect(cache.get('case-7')).to.equal(undefined);
    // replacing an entry counts its bytes once
    cache.set('case-10', { state: caseState('x', 20), revision: 11, generation: 0 });
    expect(cache.size).to.equal(3);
    expect(cache.packedBytes).to.equal(3 * one);
  });

  it('keeps nothing of a stream whose state it cannot pack, not even an earlier state', () => {
    const cache = new StreamStateCache(10);
    cache.set('s', { state: { n: 1 }, revision: 0, generation: 0 });
    cache.set('s', { state: { n: 2, f: () => 2 }, revision: 1, generation: 0 });
    expect(cache.get('s')).to.equal(undefined);
    expect(cache.packedBytes).to.equal(0);
  });

  it('keeps nothing when it may keep no stream', () => {
    const cache = new StreamStateCache(0);
    cache.set('s', { state: { n: 1 }, revision: 0, generation: 0 });
    expect(cache.get('s')).to.equal(undefined);
    expect(cache.size).to.equal(0);
  });
});
