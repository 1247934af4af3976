import { rectificationsOf } from '../../../domain/cases/case.js';
import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { caseDeadlines, foldCase, handoffDeadline } from '../../../domain/catalog/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import {
  CLOCK_INDEX,
  ClockDocId,
  clockRange,
  ClockScope,
  clockScope,
  CLOCKS,
  clocksProjection,
  type ClockDoc,
  type ClocksContext,
} from '../../../projections/clocks/clocks.projection.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import { at, eventLog, demoCityEvents, foldedCases } from './support.js';
import { caseClockOwner, clockKindOfName, handoffClockName, type CaseLevelClock } from '../../../domain/clocks/runningClocks.js';

// Given stored events → then one document per thing that carries clocks, and the index entries the view reads.

const ctx: ClocksContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected {
  doc: ClockDoc & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}

const docs = (events: readonly RecordedEvent[]) => projectEvents(clocksProjection, events, ctx).get(CLOCKS) ?? new Map();
const one = (events: readonly RecordedEvent[], id: string): Projected => {
  const found = docs(events).get(id) as Projected | undefined;
  if (!found) throw new Error(`no clock document ${id}`);
  return found;
};
const entries = (p: Projected) => p.indexes[CLOCK_INDEX] ?? [];
/** the fold's view of the case, to compare the projection with (the domain's one definition applied to the whole case) */
const caseEvents = (events: readonly RecordedEvent[], caseId: string) =>
  foldCase(
    caseId,
    events.filter((e) => e.streamId === `case-${caseId}`).map((e) => ({ type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source })),
  );

function criminalCase() {
  const e = eventLog();
  const registered = e('case-XS-1', 'yl-police', 'case.registered', { kind: 'criminal', title: '李某盗窃案', parties: [] }, at('2024-09-02'));
  const requested = e('case-XS-1', 'yl-police', 'handoff.requested', { handoffId: 'XS-1-h1', to: 'yl-proc', purpose: 'prosecution_review' }, at('2024-09-03'));
  return { e, registered, requested };
}

describe('clocks projection', () => {
  describe('a handoff clock', () => {
    it('has no clock before receipt, and is filed nowhere', () => {
      const { registered, requested } = criminalCase();
      const p = one([registered, requested], ClockDocId.handoff('XS-1', 'XS-1-h1'));
      expect(p.doc.clocks).to.deep.equal([]);
      expect(entries(p)).to.deep.equal([]);
      expect(p.doc[POSITION_FIELD]).to.equal(requested.position.toString());
    });

    it('runs from receipt: the receiver owns it, its parties see it, filed under every scope with its due date', () => {
      const { e, registered, requested } = criminalCase();
      const received = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'XS-1-h1' }, at('2024-09-04'));
      const events = [registered, requested, received];
      const p = one(events, ClockDocId.handoff('XS-1', 'XS-1-h1'));
      const state = caseEvents(events, 'XS-1');
      if (state.status === 'none') throw new Error('no case');
      const due = handoffDeadline(state.handoffs['XS-1-h1']!, ctx.deadlines)!;
      expect(p.doc.clocks).to.deep.equal([
        {
          id: 'XS-1:prosecution_review:XS-1-h1',
          kind: 'HANDOFF',
          name: 'prosecution_review:XS-1-h1',
          caseId: 'XS-1',
          owner: 'yl-proc',
          dueDate: due.dueDate,
          dueDateProvisional: due.provisional,
          running: true,
          visibleTo: ['yl-police', 'yl-proc'],
        },
      ]);
      const tail = `|${due.dueDate}|XS-1:prosecution_review:XS-1-h1`;
      expect(entries(p)).to.have.members(
        ['*', 'o:yl-proc', 'k:HANDOFF', 'ok:yl-proc>HANDOFF', 'v:yl-police', 'vk:yl-police>HANDOFF', 'vo:yl-police>yl-proc', 'vok:yl-police>yl-proc>HANDOFF', 'v:yl-proc', 'vk:yl-proc>HANDOFF'].map(
          (scope) => scope + tail,
        ),
      );
    });

    it('an extension moves its due date; completion stops it and takes it out of the index', () => {
      const { e, registered, requested } = criminalCase();
      const received = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'XS-1-h1' }, at('2024-01-31'));
      const extended = e('case-XS-1', 'yl-proc', 'handoff.extended', { handoffId: 'XS-1-h1', days: 15, approvedBy: '检察长' }, at('2024-02-10'));
      const before = one([registered, requested, received], ClockDocId.handoff('XS-1', 'XS-1-h1')).doc.clocks[0]!;
      const p = one([registered, requested, received, extended], ClockDocId.handoff('XS-1', 'XS-1-h1'));
      expect(before.dueDate).to.equal('2024-02-29');
      expect(p.doc.clocks[0]!.dueDate).to.equal('2024-03-15');
      expect(entries(p)).to.include('*|2024-03-15|XS-1:prosecution_review:XS-1-h1');
      const completed = e('case-XS-1', 'yl-proc', 'handoff.completed', { handoffId: 'XS-1-h1', outcome: 'prosecuted' }, at('2024-03-01'));
      const done = one([registered, requested, received, extended, completed], ClockDocId.handoff('XS-1', 'XS-1-h1'));
      expect(done.doc.clocks[0]!.running).to.equal(false);
      expect(entries(done)).to.deep.equal([]);
    });

    it('keeps the handoff it folds without its request’s papers (no clock reads them), before and after its receipt', () => {
      const { e, registered } = criminalCase();
      const papers = { documents: [{ title: '起诉意见书', sha256: null }], note: '请审查' };
      const requested = e('case-XS-1', 'yl-police', 'handoff.requested', { handoffId: 'XS-1-h2', to: 'yl-proc', purpose: 'prosecution_review', ...papers }, at('2024-09-03'));
      const received = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'XS-1-h2' }, at('2024-09-04'));
      for (const events of [[registered, requested], [registered, requested, received]]) {
        const { source } = one(events, ClockDocId.handoff('XS-1', 'XS-1-h2')).doc;
        if (!('handoff' in source)) throw new Error('not a handoff’s clock document');
        expect(source.handoff).to.include({ id: 'XS-1-h2', to: 'yl-proc' });
        expect(source.handoff).to.not.have.any.keys('documents', 'note');
      }
      expect(one([registered, requested, received], ClockDocId.handoff('XS-1', 'XS-1-h2')).doc.clocks[0]).to.include({ owner: 'yl-proc', running: true });
    });

    it('a follow-up of a handoff nobody requested writes nothing', () => {
      const { e, registered } = criminalCase();
      const stray = e('case-XS-1', 'yl-proc', 'handoff.received', { handoffId: 'nope' }, at('2024-09-04'));
      expect(docs([registered, stray]).has(ClockDocId.handoff('XS-1', 'nope'))).to.equal(false);
    });
  });

  describe('case-level clocks', () => {
    function reconsideration() {
      const e = eventLog();
      const registered = e(
        'case-FY-1',
        'yl-gov-legal',
        'case.registered',
        { kind: 'administrative_reconsideration', title: '某公司不服处罚复议', parties: [{ name: '某公司', role: 'applicant', type: 'private_enterprise' }], defendantAgencyId: 'yl-market' },
        at('2024-05-06'),
      );
      return { e, registered };
    }

    it('a reconsideration: the decision clock runs from registration, owned by the 复议机构, seen by the case agencies', () => {
      const { registered } = reconsideration();
      const p = one([registered], ClockDocId.case('FY-1'));
      expect(p.doc.clocks).to.have.length(1);
      expect(p.doc.clocks[0]).to.deep.include({ id: 'FY-1:reconsideration_decision', kind: 'RECONSIDERATION', owner: 'yl-gov-legal', dueDate: '2024-06-05', running: true });
      expect(p.doc.clocks[0]!.visibleTo).to.deep.equal(['yl-gov-legal', 'yl-market']);
      expect(entries(p)).to.include('o:yl-gov-legal|2024-06-05|FY-1:reconsideration_decision');
    });

    it('an agency that joins the case later sees it too; a corrective decision stops it and starts performance (the defendant owns it)', () => {
      const { e, registered } = reconsideration();
      const suggestion = e('case-FY-1', 'yl-proc', 'suggestion.issued', { suggestionId: 'FY-1-s1', to: 'yl-market', category: 'procuratorial', summary: '建议' }, at('2024-05-08'));
      const joined = one([registered, suggestion], ClockDocId.case('FY-1'));
      expect(joined.doc.clocks[0]!.visibleTo).to.include('yl-proc');
      expect(entries(joined)).to.include('v:yl-proc|2024-06-05|FY-1:reconsideration_decision');
      const decided = e('case-FY-1', 'yl-gov-legal', 'reconsideration.decided', { decision: 'revoked', performanceDueAt: '2024-07-01' }, at('2024-05-30'));
      const events = [registered, suggestion, decided];
      const p = one(events, ClockDocId.case('FY-1'));
      const fold = caseDeadlines(caseEvents(events, 'FY-1'), ctx.deadlines).filter((d) => !d.name.startsWith('suggestion_reply:'));
      expect(p.doc.clocks.map((c) => [c.name, c.dueDate, c.running])).to.deep.equal(fold.map((d) => [d.name, d.dueDate, d.stoppedAt === null]));
      expect(p.doc.clocks.find((c) => c.name === 'reconsideration_performance')).to.deep.include({ owner: 'yl-market', kind: 'PERFORMANCE', dueDate: '2024-07-01' });
      expect(entries(p).filter((v) => v.startsWith('*|'))).to.deep.equal(['*|2024-07-01|FY-1:reconsideration_performance']);
    });

    it('the per-case input keeps none of the case suggestions, notices or other handoffs: they have their own documents', () => {
      const { e, registered } = reconsideration();
      const suggestion = e('case-FY-1', 'yl-proc', 'suggestion.issued', { suggestionId: 'FY-1-s1', to: 'yl-market', category: 'procuratorial', summary: '建议' }, at('2024-05-08'));
      const p = one([registered, suggestion], ClockDocId.case('FY-1'));
      const source = p.doc.source as unknown as { case: { suggestions: object; parties: unknown[] } };
      expect(source.case.suggestions).to.deep.equal({});
      expect(source.case.parties).to.deep.equal([]);
      expect(one([registered, suggestion], ClockDocId.suggestion('FY-1', 'FY-1-s1')).doc.clocks, 'no reply clock before receipt').to.deep.equal([]);
      const received = e('case-FY-1', 'yl-market', 'suggestion.received', { suggestionId: 'FY-1-s1' }, at('2024-05-09'));
      const s = one([registered, suggestion, received], ClockDocId.suggestion('FY-1', 'FY-1-s1'));
      expect(s.doc.clocks[0]).to.deep.include({ id: 'FY-1:suggestion_reply:FY-1-s1', kind: 'SUGGESTION', owner: 'yl-market', running: true });
      expect(s.doc.clocks[0]!.visibleTo).to.deep.equal(['yl-proc', 'yl-market']);
    });

    it('a criminal case without a community-correction judgment has no case-level clock; one with it has notice, delivery and report', () => {
      const { e, registered } = criminalCase();
      expect(one([registered], ClockDocId.case('XS-1')).doc.clocks).to.deep.equal([]);
      const judgment = e('case-XS-1', 'yl-court', 'judgment.issued', { judgmentId: 'XS-1-j1', outcome: 'convicted', effectiveAt: '2024-09-28', communityCorrection: true }, at('2024-09-20'));
      const p = one([registered, judgment], ClockDocId.case('XS-1'));
      expect(p.doc.clocks.map((c) => [c.name, c.kind, c.owner, c.dueDate])).to.deep.equal([
        ['community_correction_notice', 'COMMUNITY_CORRECTION', 'yl-court', '2024-10-08'],
        ['community_correction_delivery', 'COMMUNITY_CORRECTION', 'yl-court', '2024-10-08'],
        ['offender_report', 'COMMUNITY_CORRECTION', 'yl-court', '2024-10-08'],
      ]);
      const delivery = e('case-XS-1', 'yl-court', 'handoff.requested', { handoffId: 'XS-1-cc', to: 'yl-justice', purpose: 'community_correction' }, at('2024-09-30'));
      const after = one([registered, judgment, delivery], ClockDocId.case('XS-1'));
      expect(after.doc.clocks.map((c) => [c.name, c.owner, c.running])).to.deep.equal([
        ['community_correction_notice', 'yl-court', false],
        ['community_correction_delivery', 'yl-court', true],
        ['offender_report', 'yl-justice', true],
      ]);
      const receipt = e('case-XS-1', 'yl-justice', 'handoff.received', { handoffId: 'XS-1-cc' }, at('2024-10-08'));
      const delivered = one([registered, judgment, delivery, receipt], ClockDocId.case('XS-1'));
      expect(delivered.doc.clocks.find((c) => c.name === 'community_correction_delivery')).to.include({ running: false });
    });

    it('a suspended reconsideration clock has no due date and leaves the running index; resumption files it again, moved', () => {
      const { e, registered } = reconsideration();
      const suspended = e('case-FY-1', 'yl-gov-legal', 'reconsideration.suspended', { reason: '等待鉴定' }, at('2024-05-20'));
      const during = one([registered, suspended], ClockDocId.case('FY-1'));
      expect(during.doc.clocks.find((c) => c.name === 'reconsideration_decision')).to.include({ dueDate: null, running: false });
      expect(entries(during).filter((v) => v.includes('reconsideration_decision'))).to.deep.equal([]);
      const resumed = e('case-FY-1', 'yl-gov-legal', 'reconsideration.resumed', {}, at('2024-06-03'));
      const after = one([registered, suspended, resumed], ClockDocId.case('FY-1'));
      const clock = after.doc.clocks.find((c) => c.name === 'reconsideration_decision')!;
      const before = one([registered], ClockDocId.case('FY-1')).doc.clocks.find((c) => c.name === 'reconsideration_decision')!;
      expect(clock.running).to.equal(true);
      expect(clock.dueDate! > before.dueDate!, `${clock.dueDate} after ${before.dueDate}`).to.equal(true);
      expect(entries(after)).to.include(`*|${clock.dueDate}|FY-1:reconsideration_decision`);
    });
  });

  describe('copy notices and action items', () => {
    it('one acknowledgement clock per recipient; an acknowledgement stops only that recipient’s', () => {
      const { e, registered } = criminalCase();
      const notice = e('case-XS-1', null, 'notice.issued', { noticeId: 'XS-1-n1', reason: 'agency_lost', recipients: ['yl-gov-legal', 'yl-market'], trigger: 'judgment.issued' }, at('2024-09-27'));
      const p = one([registered, notice], ClockDocId.notice('XS-1', 'XS-1-n1'));
      expect(p.doc.clocks.map((c) => [c.id, c.owner, c.dueDate, c.running])).to.deep.equal([
        ['XS-1:notice_ack:XS-1-n1:yl-gov-legal', 'yl-gov-legal', '2024-10-10', true],
        ['XS-1:notice_ack:XS-1-n1:yl-market', 'yl-market', '2024-10-10', true],
      ]);
      const ack = e('case-XS-1', 'yl-market', 'notice.acknowledged', { noticeId: 'XS-1-n1' }, at('2024-09-30'));
      const after = one([registered, notice, ack], ClockDocId.notice('XS-1', 'XS-1-n1'));
      expect(after.doc.clocks.map((c) => c.running)).to.deep.equal([true, false]);
      expect(entries(after).filter((v) => v.startsWith('*|'))).to.deep.equal(['*|2024-10-10|XS-1:notice_ack:XS-1-n1:yl-gov-legal']);
    });

    it('an action item runs until completed, on its own due date; one on a case is also filed for the case readers', () => {
      const e = eventLog();
      const scheduled = e('meeting-M1', null, 'meeting.scheduled', { meetingId: 'M1', title: '联席会', scheduledAt: at('2024-10-01'), organizer: 'yl-gov-legal', participants: ['yl-court'] }, at('2024-09-20'));
      const assigned = e('meeting-M1', null, 'action_item.assigned', { actionId: 'M1:A1', caseId: 'XS-1', text: '补充材料', owner: 'yl-court', dueDate: '2024-10-12' }, at('2024-10-01'));
      const p = one([scheduled, assigned], ClockDocId.actionItem('M1:A1'));
      expect(p.doc.clocks).to.deep.equal([
        { id: 'M1:A1', kind: 'ACTION_ITEM', name: 'action_item', caseId: 'XS-1', owner: 'yl-court', dueDate: '2024-10-12', dueDateProvisional: false, running: true, visibleTo: ['yl-court'] },
      ]);
      expect(entries(p)).to.include(`${ClockScope.caseActionItems}|2024-10-12|M1:A1`);
      const completed = e('meeting-M1', 'yl-court', 'action_item.completed', { actionId: 'M1:A1' }, at('2024-10-05'));
      expect(entries(one([scheduled, assigned, completed], ClockDocId.actionItem('M1:A1')))).to.deep.equal([]);
    });
  });

  describe('reading', () => {
    it('a viewer asking for its own clocks reads the owner scope; for another owner, the pair scope', () => {
      expect(clockScope({ viewer: null })).to.equal('*');
      expect(clockScope({ viewer: 'a', agency: 'a', kind: 'HANDOFF' })).to.equal('ok:a>HANDOFF');
      expect(clockScope({ viewer: 'a', agency: 'b' })).to.equal('vo:a>b');
      expect(clockScope({ viewer: 'a' })).to.equal('v:a');
    });

    it('overdue is the range before today; due within is today up to the last date; both at once match nothing', () => {
      const r = clockRange('*', { overdue: true }, '2024-10-10')!;
      expect(r.to >= '*|2024-10-09|x' && r.to < '*|2024-10-10|x').to.equal(true);
      const w = clockRange('*', { lastDue: '2024-10-14' }, '2024-10-10')!;
      expect(['*|2024-10-10|x', '*|2024-10-14|zzz'].every((v) => v >= w.from && v <= w.to)).to.equal(true);
      expect(['*|2024-10-09|x', '*|2024-10-15|a'].some((v) => v >= w.from && v <= w.to)).to.equal(false);
      expect(clockRange('*', { overdue: true, lastDue: '2024-10-14' }, '2024-10-10')).to.equal(null);
    });
  });

  it('over every event of the demo city: every clock of every case and meeting, as the whole-case fold has it', async () => {
    const events = await demoCityEvents({ casesOnly: false });
    // the domain's whole fold of every case (the case read model keeps its handoffs as links)
    const cases = foldedCases(events);
    const projected = [...docs(events).values()].flatMap((p) => (p.doc as ClockDoc).clocks);
    const seen = (c: { id: string; owner: string; dueDate: string | null; running: boolean; kind: string }) => [c.id, c.kind, c.owner, c.dueDate, c.running];
    const want: unknown[] = [];
    for (const state of cases.values()) {
      const deadlines = caseDeadlines(state, ctx.deadlines);
      for (const handoff of Object.values(state.handoffs)) {
        const d = handoffDeadline(handoff, ctx.deadlines);
        if (d) want.push([`${state.id}:${handoffClockName(handoff)}`, 'HANDOFF', handoff.to, d.dueDate, d.stoppedAt === null]);
      }
      for (const d of deadlines) {
        const owner = d.name.startsWith('suggestion_reply:')
          ? state.suggestions[d.name.slice('suggestion_reply:'.length)]!.to
          : d.name.startsWith('notice_ack:')
            ? d.name.split(':')[2]!
            : d.name.startsWith('rectification:')
              ? rectificationsOf(state)[d.name.slice('rectification:'.length)]!.to // 整改: the addressee's duty
              : caseClockOwner(d.name as CaseLevelClock, state);
        want.push([`${state.id}:${d.name}`, clockKindOfName(d.name), owner, d.dueDate, d.stoppedAt === null]);
      }
    }
    for (const e of events) {
      if (!e.streamId.startsWith('meeting-') || e.type !== 'action_item.assigned') continue;
      const d = e.data as { actionId: string; owner: string; dueDate: string };
      const completed = events.some((c) => c.streamId === e.streamId && c.type === 'action_item.completed' && (c.data as { actionId: string }).actionId === d.actionId);
      want.push([d.actionId, 'ACTION_ITEM', d.owner, d.dueDate, !completed]);
    }
    expect(projected.map(seen)).to.have.deep.members(want);
    expect(projected.filter((c) => c.running).length).to.be.greaterThan(10);
    // every owner may see its own clock: the scopes rely on it (clockScope reads the owner scope for one's own)
    for (const c of projected) if (c.kind !== 'ACTION_ITEM' || c.caseId === null) expect(c.visibleTo, c.id).to.include(c.owner);
  });
});
