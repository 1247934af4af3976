import { expect } from 'chai';
import { CASE_SEARCH, caseSearchProjection } from '../../../projections/caseSearch/caseSearch.projection.js';
import { projectEvents } from '../../../projections/projection.js';
import { at, eventLog } from './support.js';

// Given stored events → then what the search finds the case by, and who may find it.

describe('caseSearch projection', () => {
  const person = (name: string, role: string) => ({ name, role, type: 'person' });

  it('keeps the registration’s title, 案号 and party names, and the agencies later events involve', () => {
    const e = eventLog();
    const events = [
      e('case-K1', 'ly-police', 'case.registered', { kind: 'criminal', title: '钱某诈骗案', caseNumber: '（2026）川0132刑初123号', parties: [person('钱某', 'suspect'), person('孙某', 'victim')] }, at('2026-03-02')),
      e('case-K1', 'ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2026-03-03')),
      e('case-K1', 'ly-proc', 'handoff.received', { handoffId: 'h1' }, at('2026-03-04')),
    ];
    const found = projectEvents(caseSearchProjection, events, {}).get(CASE_SEARCH)?.get('K1');
    expect(found?.doc).to.deep.equal({
      caseId: 'K1',
      title: '钱某诈骗案',
      caseNumber: '（2026）川0132刑初123号',
      partyNames: ['钱某', '孙某'],
      agencies: ['ly-police', 'ly-proc'],
      _position: '2', // the receipt involved nobody new: nothing written for it
    });
  });

  it('writes nothing for a case it never saw registered', () => {
    const e = eventLog();
    const events = [e('case-X', 'ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2026-03-03'))];
    expect(projectEvents(caseSearchProjection, events, {}).get(CASE_SEARCH)?.get('X')).to.equal(undefined);
  });
});
