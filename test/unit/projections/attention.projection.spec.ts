import { expect } from 'chai';
import { attentionFactsOfCase, caseSummaryOf, evolveCase, handoffDeadline, type CaseState, type ExistingCase } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { ATTENTION, ATTENTION_INDEX, attentionEntries, attentionFacts, attentionProjection, type AttentionContext, type AttentionDoc } from '../../../projections/attention/attention.projection.js';
import { projectEvents } from '../../../projections/projection.js';
import { at, eventLog, demoCityEvents } from './support.js';

// Given stored events (case streams and meeting nominations) → then the attention document and its index entries.

const ctx: AttentionContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: AttentionDoc;
  indexes: Record<string, readonly string[]>;
}
const project = (events: readonly RecordedEvent[], caseId: string): Projected | undefined =>
  projectEvents(attentionProjection, events, ctx).get(ATTENTION)?.get(caseId) as Projected | undefined;
const projectOne = (events: readonly RecordedEvent[], caseId: string): Projected => {
  const found = project(events, caseId);
  if (!found) throw new Error(`no attention document ${caseId}`);
  return found;
};
const entries = (p: Projected) => [...p.indexes[ATTENTION_INDEX]!].sort();

const person = (name: string, role: string) => ({ name, role, type: 'person' });

describe('attention projection', () => {
  const e = eventLog();
  const litigation = e(
    'case-L1',
    'ly-court',
    'case.registered',
    { kind: 'administrative_litigation', title: '张某诉市市场监督管理局行政处罚案', parties: [person('张某', 'plaintiff')], defendantAgencyId: 'ly-market' },
    at('2024-09-01'),
  );

  it('a registered case without clocks or standing reasons is in no lane, and may be seen by its agencies', () => {
    const p = projectOne([litigation], 'L1');
    expect(p.doc).to.include({ caseId: 'L1', lostAt: null });
    expect(p.doc.summary).to.deep.equal(caseSummaryOf(fold([litigation])));
    expect(p.doc.visibleTo).to.deep.equal(['ly-court', 'ly-market']);
    expect(p.indexes[ATTENTION_INDEX]).to.deep.equal([]);
  });

  describe('handoff clocks', () => {
    const log = eventLog();
    const reg = log('case-K1', 'ly-police', 'case.registered', { kind: 'criminal', title: '某盗窃案', parties: [person('李某', 'suspect')] }, at('2024-09-02'));
    const requested = (id: string, day: string) => log('case-K1', 'ly-police', 'handoff.requested', { handoffId: id, to: 'ly-proc', purpose: 'prosecution_review' }, at(day));
    const received = (id: string, day: string) => log('case-K1', 'ly-proc', 'handoff.received', { handoffId: id }, at(day));
    const events = [reg, requested('H1', '2024-09-03'), requested('H2', '2024-09-04'), received('H2', '2024-09-05'), received('H1', '2024-09-10')];

    it('keeps a handoff from its request; its clock (not started: no due date) until it runs; the lane holds the earliest due date', () => {
      const waiting = projectOne(events.slice(0, 2), 'K1');
      expect(waiting.doc.handoffs.H1!.dueDate).to.equal(null);
      expect(waiting.indexes[ATTENTION_INDEX]).to.deep.equal([]);
      expect(waiting.doc.visibleTo).to.deep.equal(['ly-police', 'ly-proc']);

      const p = projectOne(events, 'K1');
      const due = (id: string) => handoffDeadline(evolveHandoffs(events)[id]!, ctx.deadlines)!.dueDate;
      expect(p.doc.handoffs.H2!.dueDate).to.equal(due('H2'));
      expect(p.doc.handoffs.H1!.dueDate).to.equal(due('H1'));
      expect(due('H2') < due('H1')).to.equal(true);
      expect(entries(p)).to.deep.equal([`*|H|${due('H2')}|`, `v:ly-police|H|${due('H2')}|`, `v:ly-proc|H|${due('H2')}|`]);
      // the request's papers are not kept (withoutRequestPapers); the rest of the handoff is
      expect(p.doc.handoffs.H1!.handoff).to.not.have.any.keys('documents', 'note');
      expect(p.doc.handoffs.H1!.handoff).to.include({ id: 'H1', status: evolveHandoffs(events)['H1']!.status });
    });

    it('drops a handoff once its clock stopped: the lane moves to the next due date, and goes with the last', () => {
      const completed = log('case-K1', 'ly-proc', 'handoff.completed', { handoffId: 'H2', outcome: '提起公诉' }, at('2024-09-20'));
      const p = projectOne([...events, completed], 'K1');
      expect(Object.keys(p.doc.handoffs)).to.deep.equal(['H1']);
      expect(entries(p)[0]).to.equal(`*|H|${p.doc.handoffs.H1!.dueDate}|`);
      const withdrawn = log('case-K1', 'ly-police', 'handoff.withdrawn', { handoffId: 'H1', reason: '撤回' }, at('2024-09-21'));
      const late = log('case-K1', 'ly-proc', 'handoff.extended', { handoffId: 'H1', days: 10, approvedBy: '检察长' }, at('2024-09-22'));
      const after = projectOne([...events, completed, withdrawn, late], 'K1');
      expect(after.doc.handoffs).to.deep.equal({});
      expect(after.indexes[ATTENTION_INDEX]).to.deep.equal([]);
    });
  });

  describe('suggestions, reconsideration, judgment, major dispute', () => {
    it('an unanswered suggestion is a reply clock; the reply takes it away', () => {
      const log = eventLog();
      const reg = log('case-P1', 'ly-proc', 'case.registered', { kind: 'public_interest', title: '某公益诉讼', parties: [] }, at('2024-10-08'));
      const issued = log('case-P1', 'ly-proc', 'suggestion.issued', { suggestionId: 's1', to: 'ly-resources', category: 'public_interest', summary: '督促履职', urgent: true }, at('2024-10-09'));
      // before receipt: no clock yet, no lane
      const unreceived = projectOne([reg, issued], 'P1');
      expect(attentionFacts(unreceived.doc).suggestionClocks).to.deep.equal([]);
      expect(entries(unreceived).some((v) => v.includes('|S|'))).to.equal(false);
      const received = log('case-P1', 'ly-resources', 'suggestion.received', { suggestionId: 's1' }, at('2024-10-09'));
      const p = projectOne([reg, issued, received], 'P1');
      const facts = attentionFactsOfCase(fold([reg, issued, received]), ctx.deadlines);
      expect(attentionFacts(p.doc).suggestionClocks).to.deep.equal(facts.suggestionClocks);
      // 15 days from 10-09 → 10-24
      expect(facts.suggestionClocks[0]!.dueDate).to.equal('2024-10-24');
      expect(entries(p)).to.include(`v:ly-resources|S|${facts.suggestionClocks[0]!.dueDate}|`);
      const replied = log('case-P1', 'ly-resources', 'suggestion.replied', { suggestionId: 's1', adopted: true, summary: '已整改' }, at('2024-10-20'));
      expect(projectOne([reg, issued, received, replied], 'P1').doc.suggestions).to.deep.equal({});
    });

    it('a corrective decision: a standing lane at its time, and a performance lane until performed', () => {
      const log = eventLog();
      const reg = log('case-R1', 'ly-gov', 'case.registered', { kind: 'administrative_reconsideration', title: '某复议案', parties: [], defendantAgencyId: 'ly-market' }, at('2024-06-03'));
      const decided = log('case-R1', 'ly-gov', 'reconsideration.decided', { decision: 'revoked', performanceDueAt: '2024-08-17' }, at('2024-07-15'));
      const p = projectOne([reg, decided], 'R1');
      const decidedAt = new Date(at('2024-07-15')).toISOString();
      expect(entries(p).filter((v) => v.startsWith('*|'))).to.deep.equal(['*|P|2024-08-17|', `*|R|${decidedAt}`]);
      const performed = log('case-R1', 'ly-market', 'reconsideration.performed', { summary: '已撤销原处罚决定' }, at('2024-08-10'));
      const done = projectOne([reg, decided, performed], 'R1');
      expect(entries(done).filter((v) => v.startsWith('*|'))).to.deep.equal([`*|R|${decidedAt}`]);
      expect(attentionFacts(done.doc)).to.deep.equal(attentionFactsOfCase(fold([reg, decided, performed]), ctx.deadlines));
    });

    it('a lost judgment is a standing lane; a later judgment the agency did not lose ends it', () => {
      const log = eventLog();
      const reg = log('case-L2', 'ly-court', 'case.registered', { kind: 'administrative_litigation', title: '某行政诉讼', parties: [], defendantAgencyId: 'ly-market' }, at('2024-09-01'));
      const lost = log('case-L2', 'ly-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, at('2024-09-26'));
      const p = projectOne([reg, lost], 'L2');
      expect(p.doc.lostAt).to.equal(at('2024-09-26'));
      expect(entries(p)).to.include(`v:ly-market|L|${new Date(at('2024-09-26')).toISOString()}`);
      const upheld = log('case-L2', 'ly-court', 'judgment.issued', { judgmentId: 'j2', outcome: 'agency_won' }, at('2024-12-26'));
      expect(projectOne([reg, lost, upheld], 'L2').indexes[ATTENTION_INDEX]).to.deep.equal([]);
    });

    it('a major government dispute is in its lane while open', () => {
      const log = eventLog();
      const reg = log(
        'case-G1',
        'ly-justice',
        'case.registered',
        { kind: 'government_dispute', title: '市城投公司工程款纠纷', parties: [{ name: '市城投公司', role: 'defendant', type: 'state_enterprise' }], major: true },
        at('2024-09-01'),
      );
      expect(entries(projectOne([reg], 'G1'))).to.deep.equal(['*|M|', 'v:ly-justice|M|']);
      const closed = log('case-G1', 'ly-justice', 'case.closed', { outcome: 'resolved_substantively' }, at('2024-11-01'));
      const after = projectOne([reg, closed], 'G1');
      expect(after.indexes[ATTENTION_INDEX]).to.deep.equal([]);
      expect(after.doc.summary!.status).to.equal('closed');
    });
  });

  describe('meeting nominations (the other stream)', () => {
    it('files each meeting that put the case on its agenda once, without touching the lanes', () => {
      const log = eventLog();
      const reg = log('case-L1', 'ly-court', 'case.registered', { kind: 'administrative_litigation', title: '某案', parties: [], defendantAgencyId: 'ly-market' }, at('2024-09-01'));
      const lost = log('case-L1', 'ly-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, at('2024-09-26'));
      const nominate = (meetingId: string) => log(`meeting-${meetingId}`, 'ly-justice', 'meeting.case_nominated', { caseId: 'L1', reason: 'agency_lost' }, at('2024-10-08'));
      const p = projectOne([reg, lost, nominate('m-1'), nominate('m-1'), nominate('m-2')], 'L1');
      expect(p.doc.nominations).to.deep.equal(['m-1', 'm-2']);
      expect(p.indexes[ATTENTION_INDEX]).to.deep.equal(projectOne([reg, lost], 'L1').indexes[ATTENTION_INDEX]);
    });

    it('a nomination before the case is known makes a document in no lane; the registration keeps the nomination', () => {
      const log = eventLog();
      const early = log('meeting-m-1', 'ly-justice', 'meeting.case_nominated', { caseId: 'X1', reason: 'manual' }, at('2024-10-08'));
      const stubbed = projectOne([early], 'X1');
      expect(stubbed.doc.summary).to.equal(null);
      expect(stubbed.indexes[ATTENTION_INDEX]).to.deep.equal([]);
      const reg = log('case-X1', 'ly-justice', 'case.registered', { kind: 'government_dispute', title: '某纠纷', parties: [], major: true }, at('2024-10-09'));
      const p = projectOne([early, reg], 'X1');
      expect(p.doc.summary).to.include({ id: 'X1', title: '某纠纷', kind: 'government_dispute', status: 'open' });
      expect(p.doc.nominations).to.deep.equal(['m-1']);
      expect(entries(p)).to.deep.equal(['*|M|', 'v:ly-justice|M|']);
    });

    it('a follow-up of an unknown case makes no document', () => {
      const log = eventLog();
      expect(project([log('case-Z', 'ly-court', 'judgment.issued', { judgmentId: 'j', outcome: 'agency_lost' }, at('2024-09-01'))], 'Z')).to.equal(undefined);
    });
  });

  it('after every event of the demo city: the facts the rule reads, the agencies and the entries equal those of the case folded afresh', async function () {
    this.timeout(120_000);
    const events = await demoCityEvents();
    const states = new Map<string, CaseState>();
    const docs = new Map<string, AttentionDoc>();
    let checked = 0;
    let inLanes = 0;
    for (const event of events) {
      const id = event.streamId.slice('case-'.length);
      const state = evolveCase(states.get(id) ?? { status: 'none' }, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: id });
      states.set(id, state);
      const result = attentionProjection.evolve(docs.get(id) ?? null, event, ctx, ATTENTION);
      if (result.doc === null) continue;
      const doc = result.doc as AttentionDoc;
      docs.set(id, doc);
      const where = `${id} after ${event.type} at ${event.position}`;
      const s = state as ExistingCase;
      expect(attentionFacts(doc), where).to.deep.equal(attentionFactsOfCase(s, ctx.deadlines));
      expect(doc.visibleTo, where).to.deep.equal(s.agencies);
      expect(doc.summary, where).to.deep.equal(caseSummaryOf(s));
      if (result.indexes) expect(result.indexes[ATTENTION_INDEX], where).to.deep.equal(attentionEntries(doc));
      if (attentionEntries(doc).length > 0) inLanes++;
      checked++;
    }
    expect(checked).to.be.greaterThan(300);
    expect(inLanes).to.be.greaterThan(50);
  });
});

function fold(events: readonly RecordedEvent[]): ExistingCase {
  let state: CaseState = { status: 'none' };
  for (const e of events) state = evolveCase(state, { type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source, subject: e.streamId.slice('case-'.length) });
  return state as ExistingCase;
}

function evolveHandoffs(events: readonly RecordedEvent[]) {
  return fold(events).handoffs;
}
