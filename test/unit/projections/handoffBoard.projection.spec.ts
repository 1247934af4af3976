import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { handoffDeadline } from '../../../domain/catalog/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import {
  BOARD_INDEX,
  boardDocId,
  boardPlan,
  BoardScope,
  HANDOFF_BOARD,
  handoffBoardProjection,
  type HandoffBoardContext,
  type HandoffBoardDoc,
} from '../../../projections/handoffBoard/handoffBoard.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import { at, eventLog, demoCityEvents, foldedCases } from './support.js';

// Given stored events → then one board document per handoff, and the index entries the board reads.

const ctx: HandoffBoardContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: HandoffBoardDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

const board = (events: readonly RecordedEvent[]) => projectEvents(handoffBoardProjection, events, ctx).get(HANDOFF_BOARD) ?? new Map();
const one = (events: readonly RecordedEvent[], caseId: string, handoffId: string): Projected => {
  const found = board(events).get(boardDocId(caseId, handoffId)) as Projected | undefined;
  if (!found) throw new Error(`no board document ${caseId}/${handoffId}`);
  return found;
};

function criminalCase() {
  const e = eventLog();
  const registered = e('case-XS-1', 'yl-police', 'case.registered', { kind: 'criminal', title: '李某盗窃案', parties: [] }, at('2024-09-02'));
  const requested = e('case-XS-1', 'yl-police', 'handoff.requested', { handoffId: 'XS-1-h1', to: 'yl-proc', purpose: 'prosecution_review' }, at('2024-09-03'));
  return { e, registered, requested };
}

describe('handoff board projection', () => {
  describe('handoff.requested', () => {
    it('creates one document for the handoff: the handoff, no clock yet (it starts on receipt), its parties', () => {
      const { registered, requested } = criminalCase();
      const p = one([registered, requested], 'XS-1', 'XS-1-h1');
      expect(p.doc.caseId).to.equal('XS-1');
      expect(p.doc.handoff).to.include({ id: 'XS-1-h1', from: 'yl-police', to: 'yl-proc', purpose: 'prosecution_review', status: 'REQUESTED', requestedAt: at('2024-09-03') });
      expect(p.doc.deadline).to.equal(null);
      expect(p.doc.visibleTo).to.deep.equal(['yl-police', 'yl-proc']);
      expect(p.doc[POSITION_FIELD]).to.equal(requested.position.toString());
      const tail = '|NREQUESTED|9999-99-99|2024-09-03T01:00:00.000Z|XS-1/XS-1-h1';
      expect(p.indexes[BOARD_INDEX]).to.have.members(
        ['*', 't:yl-proc', 'f:yl-police', 'ft:yl-police>yl-proc', 'p:prosecution_review'].map((scope) => scope + tail),
      );
    });

    it('writes nothing for the case registration or any event that is not about a handoff', () => {
      const { e, registered } = criminalCase();
      const hearing = e('case-XS-1', 'yl-court', 'hearing.scheduled', { hearingId: 'XS-1-hr1', at: at('2024-10-01') }, at('2024-09-10'));
      expect(board([registered, hearing]).size).to.equal(0);
    });
  });

  describe('the clock', () => {
    it('starts on receipt: the handoff moves to the running lane under its due date', () => {
      const { e, registered, requested } = criminalCase();
      const received = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'XS-1-h1' }, at('2024-09-04'));
      const p = one([registered, requested, received], 'XS-1', 'XS-1-h1');
      expect(p.doc.handoff).to.include({ status: 'RECEIVED', receivedAt: at('2024-09-04') });
      expect(p.doc.deadline).to.deep.equal(handoffDeadline(p.doc.handoff, ctx.deadlines));
      expect(p.doc.deadline!.stoppedAt).to.equal(null);
      expect(p.indexes[BOARD_INDEX]).to.include(`*|RRECEIVED|${p.doc.deadline!.dueDate}|2024-09-03T01:00:00.000Z|XS-1/XS-1-h1`);
    });

    it('an extension moves the due date; completion ends it (the ended lane, clock stopped)', () => {
      const { e, registered, requested } = criminalCase();
      const received = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'XS-1-h1' }, at('2024-09-04'));
      const due = one([registered, requested, received], 'XS-1', 'XS-1-h1').doc.deadline!.dueDate;
      const extended = e('case-XS-1', 'yl-proc', 'handoff.extended', { handoffId: 'XS-1-h1', days: 15, approvedBy: '检察长' }, at('2024-09-20'));
      const p = one([registered, requested, received, extended], 'XS-1', 'XS-1-h1');
      expect(p.doc.deadline!.dueDate > due).to.equal(true);
      const completed = e('case-XS-1', 'yl-proc', 'handoff.completed', { handoffId: 'XS-1-h1', outcome: 'prosecuted' }, at('2024-10-08'));
      const q = one([registered, requested, received, extended, completed], 'XS-1', 'XS-1-h1');
      expect(q.doc.handoff).to.include({ status: 'COMPLETED', completedAt: at('2024-10-08'), outcome: 'prosecuted' });
      expect(q.doc.deadline!.stoppedAt).to.equal(at('2024-10-08'));
      expect(q.indexes[BOARD_INDEX]).to.include(`*|ECOMPLETED|${q.doc.deadline!.dueDate}|2024-09-03T01:00:00.000Z|XS-1/XS-1-h1`);
    });

    it('a follow-up of a handoff that was never requested writes nothing', () => {
      const { e, registered } = criminalCase();
      const stray = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'nope' }, at('2024-09-04'));
      expect(board([registered, stray]).size).to.equal(0);
    });
  });

  it('keeps ids apart that would run together as text: case and handoff ids are encoded in the document id', () => {
    expect(boardDocId('a/b', 'c')).to.not.equal(boardDocId('a', 'b/c'));
  });

  describe('the plan: which scope answers a question', () => {
    it('a viewer sees what was sent to it and by it (its self-handoffs counted once), a filter naming its agency, or the pair it sent; never another pair', () => {
      expect(boardPlan({ viewer: 'x' })).to.deep.equal({ scopes: [BoardScope.to('x'), BoardScope.from('x')], overlap: BoardScope.fromTo('x', 'x') });
      expect(boardPlan({ viewer: 'x', toAgency: 'x' })).to.deep.equal({ scopes: [BoardScope.to('x')] });
      expect(boardPlan({ viewer: 'x', toAgency: 'y' })).to.deep.equal({ scopes: [BoardScope.fromTo('x', 'y')] });
      expect(boardPlan({ viewer: 'x', fromAgency: 'y' })).to.deep.equal({ scopes: [BoardScope.fromTo('y', 'x')] });
      expect(boardPlan({ viewer: 'x', toAgency: 'y', fromAgency: 'z' })).to.equal(null);
      expect(boardPlan({ viewer: null, purpose: 'p' })).to.deep.equal({ scopes: [BoardScope.purpose('p')] });
      expect(boardPlan({ viewer: 'x', purpose: 'p' })?.residual).to.be.a('function');
      expect(boardPlan({ viewer: 'x', purpose: 'p' })?.scopes).to.deep.equal([BoardScope.to('x'), BoardScope.from('x')]);
    });
  });

  it('over every event of the demo city: each handoff, with its papers, and its clock as the whole case fold has them', async () => {
    const events = await demoCityEvents();
    const cases = foldedCases(events);
    const docs = board(events);
    let compared = 0;
    let withPapers = 0;
    for (const state of cases.values()) {
      for (const handoff of Object.values(state.handoffs)) {
        const b = docs.get(boardDocId(state.id, handoff.id))?.doc as HandoffBoardDoc | undefined;
        expect(b, `${state.id}/${handoff.id}`).to.not.equal(undefined);
        expect({ caseId: b!.caseId, handoff: b!.handoff, deadline: b!.deadline }).to.deep.equal({ caseId: state.id, handoff, deadline: handoffDeadline(handoff, ctx.deadlines) });
        expect(b!.handoff.documents, `${state.id}/${handoff.id}: the board keeps the document list`).to.be.an('array');
        if (b!.handoff.documents!.length > 0) withPapers += 1;
        compared += 1;
      }
    }
    expect(docs.size).to.equal(compared);
    expect(compared).to.be.greaterThan(50);
    expect(withPapers, 'handoffs of the demo city with documents').to.be.greaterThan(10);
  });
});
