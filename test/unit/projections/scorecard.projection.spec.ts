import { expect } from 'chai';
import { caseDeadlines, handoffDeadline, suggestionReplyDue, withoutRequestPapers } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import type { IndexBounds } from '../../../ports/readModelStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { POSITION_FIELD, projectEvents } from '../../../projections/projection.js';
import {
  caseDocId,
  handoffDocId,
  ROW_INDEX,
  SCORECARD,
  scorecardBounds,
  scorecardProjection,
  suggestionDocId,
  type ScorecardCaseDoc,
  type ScorecardContext,
  type ScorecardHandoffDoc,
  type ScorecardSuggestionDoc,
} from '../../../projections/scorecard/scorecard.projection.js';
import { at, eventLog, demoCityEvents, foldedCases } from './support.js';

// Given stored events → then the scorecard's documents, their index entries, and the counts a row reads from them.

const ctx: ScorecardContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

interface Projected<T> {
  doc: T & { [POSITION_FIELD]: string };
  indexes: Record<string, readonly string[]>;
}
const docs = (events: readonly RecordedEvent[]) => projectEvents(scorecardProjection, events, ctx).get(SCORECARD) ?? new Map<string, Projected<unknown>>();
const one = <T>(events: readonly RecordedEvent[], id: string): Projected<T> => {
  const found = docs(events).get(id) as Projected<T> | undefined;
  if (!found) throw new Error(`no scorecard document ${id}`);
  return found;
};

/** what countRange answers over the projected entries (values compared as the store compares ASCII text) */
function counts(events: readonly RecordedEvent[], agency: string, quarter: string, today: string) {
  const values = [...docs(events).values()].flatMap((d) => d.indexes[ROW_INDEX] ?? []);
  const within = (b: IndexBounds) => values.filter((v) => (b.from === undefined || v >= b.from) && (b.to === undefined || v <= b.to)).length;
  return Object.fromEntries(Object.entries(scorecardBounds(agency, quarter, today)).map(([column, b]) => [column, within(b)]));
}
const zero = {
  litigationConcluded: 0,
  litigationLost: 0,
  hearingsHeld: 0,
  headAppearances: 0,
  reconsiderationsDecided: 0,
  reconsiderationsCorrected: 0,
  suggestionsReceived: 0,
  suggestionsRepliedOnTime: 0,
  handoffsReceived: 0,
  handoffsCompletedOnTime: 0,
  handoffsOverdue: 0,
};

describe('scorecard projection', () => {
  describe('administrative litigation against an agency', () => {
    function litigation() {
      const e = eventLog();
      const events = [
        e('case-XZ-1', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: '某公司诉市场监管局', parties: [], defendantAgencyId: 'yl-market' }, at('2024-08-01')),
        e('case-XZ-1', 'yl-court', 'hearing.scheduled', { hearingId: 'hr1', at: at('2024-09-10') }, at('2024-08-05')),
      ];
      return { e, events };
    }

    it('files a scheduled hearing nowhere; a held one under the quarter it was held, by whether the head appeared', () => {
      const { e, events } = litigation();
      expect(one<ScorecardCaseDoc>(events, caseDocId('XZ-1')).indexes[ROW_INDEX]).to.deep.equal([]);
      const held = [...events, e('case-XZ-1', 'yl-court', 'hearing.held', { hearingId: 'hr1', agencyHeadAppeared: true }, at('2024-10-10'))];
      const p = one<ScorecardCaseDoc>(held, caseDocId('XZ-1'));
      expect(p.doc).to.include({ caseId: 'XZ-1', kind: 'administrative_litigation', defendant: 'yl-market' });
      // revision 2: the case, heard with its head, once in the quarter (casesWithHeadAppearance)
      expect(p.indexes[ROW_INDEX]).to.deep.equal(['yl-market|2024Q4|g1|hr1', 'yl-market|2024Q4|k1|XZ-1']);
      expect(counts(held, 'yl-market', '2024Q4', '2024-12-01')).to.deep.equal({ ...zero, hearingsHeld: 1, headAppearances: 1 });
      expect(counts(held, 'yl-market', '2024Q3', '2024-12-01')).to.deep.equal(zero);
      // rescheduling a held hearing makes it a scheduled one again, as in the case
      const rescheduled = [...held, e('case-XZ-1', 'yl-court', 'hearing.scheduled', { hearingId: 'hr1', at: at('2024-11-10') }, at('2024-10-20'))];
      expect(one<ScorecardCaseDoc>(rescheduled, caseDocId('XZ-1')).indexes[ROW_INDEX]).to.deep.equal([]);
    });

    it('counts each judgment in the quarter it was issued (China time), lost or not; a re-issued judgment replaces itself', () => {
      const { e, events } = litigation();
      const judged = [
        ...events,
        // published in UTC: 2024-09-30T17:00Z is 2024-10-01 01:00 in China — the China-time date decides
        e('case-XZ-1', 'yl-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, '2024-09-30T17:00:00Z'),
        e('case-XZ-1', 'yl-court', 'judgment.issued', { judgmentId: 'j2', outcome: 'agency_won' }, at('2024-11-02')),
      ];
      expect(counts(judged, 'yl-market', '2024Q4', '2024-12-01')).to.deep.equal({ ...zero, litigationConcluded: 2, litigationLost: 1 });
      expect(counts(judged, 'yl-market', '2024Q3', '2024-12-01')).to.deep.equal(zero);
      const reissued = [...judged, e('case-XZ-1', 'yl-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'dismissed' }, at('2025-01-03'))];
      expect(counts(reissued, 'yl-market', '2024Q4', '2025-02-01')).to.deep.equal({ ...zero, litigationConcluded: 1 });
      expect(counts(reissued, 'yl-market', '2025Q1', '2025-02-01')).to.deep.equal({ ...zero, litigationConcluded: 1 });
    });

    it('files nothing for another agency, and an id with a separator in it cannot reach another agency`s range', () => {
      const e = eventLog();
      const events = [
        e('case-XZ-2', 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: 't', parties: [], defendantAgencyId: 'yl-market|2024Q4|j' }, at('2024-10-01')),
        e('case-XZ-2', 'yl-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'agency_lost' }, at('2024-10-02')),
      ];
      expect(counts(events, 'yl-market', '2024Q4', '2024-12-01')).to.deep.equal(zero);
      expect(counts(events, 'yl-market|2024Q4|j', '2024Q4', '2024-12-01')).to.deep.equal({ ...zero, litigationConcluded: 1, litigationLost: 1 });
    });
  });

  it('judgments and hearings of a case of another kind count for no one; its reconsideration decision does', () => {
    const e = eventLog();
    const events = [
      e('case-FY-1', 'yl-justice', 'case.registered', { kind: 'administrative_reconsideration', title: '复议', parties: [], defendantAgencyId: 'yl-housing' }, at('2024-04-01')),
      e('case-FY-1', 'yl-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'decided' }, at('2024-05-02')),
      e('case-FY-1', 'yl-justice', 'reconsideration.decided', { decision: 'revoked' }, at('2024-05-20')),
    ];
    expect(counts(events, 'yl-housing', '2024Q2', '2024-06-01')).to.deep.equal({ ...zero, reconsiderationsDecided: 1, reconsiderationsCorrected: 1 });
    // a later decision replaces the first, in its own quarter
    const redecided = [...events, e('case-FY-1', 'yl-justice', 'reconsideration.decided', { decision: 'upheld' }, at('2024-07-02'))];
    expect(counts(redecided, 'yl-housing', '2024Q2', '2024-08-01')).to.deep.equal(zero);
    expect(counts(redecided, 'yl-housing', '2024Q3', '2024-08-01')).to.deep.equal({ ...zero, reconsiderationsDecided: 1 });
  });

  it('keeps no document for a case without a defendant agency', () => {
    const e = eventLog();
    const events = [
      e('case-XS-1', 'yl-police', 'case.registered', { kind: 'criminal', title: '盗窃', parties: [] }, at('2024-04-01')),
      e('case-XS-1', 'yl-court', 'judgment.issued', { judgmentId: 'j1', outcome: 'convicted' }, at('2024-05-02')),
    ];
    expect(docs(events).size).to.equal(0);
  });

  describe('suggestions', () => {
    function issued() {
      const e = eventLog();
      const events = [
        e('case-JY-1', 'yl-proc', 'case.registered', { kind: 'public_interest', title: '公益', parties: [] }, at('2024-03-01')),
        e('case-JY-1', 'yl-proc', 'suggestion.issued', { suggestionId: 's1', to: 'yl-resources', category: 'public_interest', summary: '整改', urgent: true }, at('2024-03-29')),
        // revision 2: the reply clock runs from receipt
        e('case-JY-1', 'yl-resources', 'suggestion.received', { suggestionId: 's1' }, at('2024-03-29')),
      ];
      return { e, events };
    }

    it('counts one in the quarter it was issued, with the reply clock of the domain', () => {
      const { events } = issued();
      const p = one<ScorecardSuggestionDoc>(events, suggestionDocId('JY-1', 's1'));
      expect(p.doc.dueDate).to.equal(suggestionReplyDue(p.doc.suggestion, ctx.deadlines.calendar)!.dueDate);
      expect(p.doc.suggestion).to.include({ to: 'yl-resources', urgent: true, repliedAt: null });
      expect(counts(events, 'yl-resources', '2024Q1', '2024-06-01')).to.deep.equal({ ...zero, suggestionsReceived: 1 });
    });

    it('a reply on the due date is on time; a reply the day after is not — both stay counted in the quarter of issue', () => {
      const { e, events } = issued();
      const due = one<ScorecardSuggestionDoc>(events, suggestionDocId('JY-1', 's1')).doc.dueDate!;
      const onTime = [...events, e('case-JY-1', 'yl-resources', 'suggestion.replied', { suggestionId: 's1', adopted: true, summary: '已整改' }, at(due, '23:00'))];
      expect(counts(onTime, 'yl-resources', '2024Q1', '2024-06-01')).to.deep.equal({ ...zero, suggestionsReceived: 1, suggestionsRepliedOnTime: 1 });
      const nextDay = new Date(Date.parse(`${due}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const late = [...events, e('case-JY-1', 'yl-resources', 'suggestion.replied', { suggestionId: 's1', adopted: true, summary: '已整改' }, at(nextDay))];
      expect(counts(late, 'yl-resources', '2024Q1', '2024-06-01')).to.deep.equal({ ...zero, suggestionsReceived: 1 });
    });

    it('a reply to a suggestion never issued writes nothing', () => {
      const { e, events } = issued();
      const stray = e('case-JY-1', 'yl-resources', 'suggestion.replied', { suggestionId: 'nope', adopted: true, summary: 'x' }, at('2024-04-01'));
      expect(docs([...events, stray]).has(suggestionDocId('JY-1', 'nope'))).to.equal(false);
    });
  });

  describe('handoffs', () => {
    function requested() {
      const e = eventLog();
      const events = [
        e('case-XS-1', 'yl-police', 'case.registered', { kind: 'criminal', title: '盗窃', parties: [] }, at('2024-09-02')),
        e('case-XS-1', 'yl-police', 'handoff.requested', { handoffId: 'h1', to: 'yl-market', purpose: 'prosecution_review' }, at('2024-09-27')),
      ];
      return { e, events };
    }

    it('counts none before its clock starts; on receipt, in the quarter of receipt, with the clock of the domain', () => {
      const { e, events } = requested();
      expect(one<ScorecardHandoffDoc>(events, handoffDocId('XS-1', 'h1')).indexes[ROW_INDEX]).to.deep.equal([]);
      const received = [...events, e('case-XS-1', 'yl-market', 'handoff.received', { handoffId: 'h1' }, at('2024-10-08'))];
      const p = one<ScorecardHandoffDoc>(received, handoffDocId('XS-1', 'h1'));
      expect(p.doc.deadline).to.deep.equal(handoffDeadline(p.doc.handoff, ctx.deadlines));
      expect(p.doc.clockStartedAt).to.equal(at('2024-10-08'));
      expect(p.indexes[ROW_INDEX]).to.deep.equal([`yl-market|2024Q4|h2|${p.doc.deadline!.dueDate}|-`]);
      expect(counts(received, 'yl-market', '2024Q3', '2024-10-09')).to.deep.equal(zero);
    });

    it('a running clock is overdue from the day after its due date; met on time it is not, met late it is on every day', () => {
      const { e, events } = requested();
      const received = [...events, e('case-XS-1', 'yl-market', 'handoff.received', { handoffId: 'h1' }, at('2024-10-08'))];
      const due = one<ScorecardHandoffDoc>(received, handoffDocId('XS-1', 'h1')).doc.deadline!.dueDate;
      const after = new Date(Date.parse(`${due}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(counts(received, 'yl-market', '2024Q4', due)).to.deep.equal({ ...zero, handoffsReceived: 1 });
      expect(counts(received, 'yl-market', '2024Q4', after)).to.deep.equal({ ...zero, handoffsReceived: 1, handoffsOverdue: 1 });

      const onTime = [...received, e('case-XS-1', 'yl-market', 'handoff.completed', { handoffId: 'h1', outcome: '起诉' }, at(due, '18:00'))];
      expect(counts(onTime, 'yl-market', '2024Q4', '2025-12-31')).to.deep.equal({ ...zero, handoffsReceived: 1, handoffsCompletedOnTime: 1 });

      const late = [...received, e('case-XS-1', 'yl-market', 'handoff.completed', { handoffId: 'h1', outcome: '起诉' }, at(after))];
      for (const today of ['2024-10-09', due, '2025-12-31']) {
        expect(counts(late, 'yl-market', '2024Q4', today), today).to.deep.equal({ ...zero, handoffsReceived: 1, handoffsOverdue: 1 });
      }
    });

    it('a handoff returned while its clock ran is received, neither on time nor overdue', () => {
      const { e, events } = requested();
      const returned = [
        ...events,
        e('case-XS-1', 'yl-market', 'handoff.received', { handoffId: 'h1' }, at('2024-10-08')),
        e('case-XS-1', 'yl-market', 'handoff.returned', { handoffId: 'h1', reason: '补正' }, at('2024-10-10')),
      ];
      expect(counts(returned, 'yl-market', '2024Q4', '2025-12-31')).to.deep.equal({ ...zero, handoffsReceived: 1 });
    });

    it('a receipt (回执) clock starts on the request: counted in the quarter of the request, stopped by receipt', () => {
      const e = eventLog();
      const events = [
        e('case-XS-2', 'yl-court', 'case.registered', { kind: 'criminal', title: '判决', parties: [] }, at('2024-09-02')),
        e('case-XS-2', 'yl-court', 'handoff.requested', { handoffId: 'h1', to: 'yl-justice', purpose: 'community_correction' }, at('2024-09-30')),
      ];
      const running = one<ScorecardHandoffDoc>(events, handoffDocId('XS-2', 'h1'));
      expect(running.doc.clockStartedAt).to.equal(at('2024-09-30'));
      expect(counts(events, 'yl-justice', '2024Q3', '2024-12-31')).to.deep.equal({ ...zero, handoffsReceived: 1, handoffsOverdue: 1 });
      const signed = [...events, e('case-XS-2', 'yl-justice', 'handoff.received', { handoffId: 'h1' }, at('2024-10-02'))];
      expect(counts(signed, 'yl-justice', '2024Q3', '2024-12-31')).to.deep.equal({ ...zero, handoffsReceived: 1, handoffsCompletedOnTime: 1 });
    });
  });

  it('keeps ids apart that would run together as text: case and fact ids are encoded in the document id', () => {
    expect(handoffDocId('a/b', 'c')).to.not.equal(handoffDocId('a', 'b/c'));
    expect(suggestionDocId('a/b', 'c')).to.not.equal(suggestionDocId('a', 'b/c'));
  });

  it('over every event of the demo city: each suggestion`s reply clock and each handoff`s clock as the whole case fold has them', async () => {
    const events = await demoCityEvents();
    const cases = foldedCases(events);
    const projected = docs(events);
    let handoffs = 0;
    let suggestions = 0;
    let withDefendant = 0;
    for (const state of cases.values()) {
      const c = { state, deadlines: caseDeadlines(state, ctx.deadlines) };
      for (const handoff of Object.values(c.state.handoffs)) {
        const h = projected.get(handoffDocId(c.state.id, handoff.id))?.doc as ScorecardHandoffDoc | undefined;
        // the scorecard keeps no request papers (withoutRequestPapers)
        expect({ handoff: h?.handoff, deadline: h?.deadline }, `${c.state.id}/${handoff.id}`).to.deep.equal({ handoff: withoutRequestPapers(handoff), deadline: handoffDeadline(handoff, ctx.deadlines) });
        handoffs += 1;
      }
      for (const suggestion of Object.values(c.state.suggestions)) {
        const s = projected.get(suggestionDocId(c.state.id, suggestion.id))?.doc as ScorecardSuggestionDoc | undefined;
        expect({ suggestion: s?.suggestion, dueDate: s?.dueDate }).to.deep.equal({ suggestion, dueDate: c.deadlines.find((d) => d.name === `suggestion_reply:${suggestion.id}`)?.dueDate ?? null });
        suggestions += 1;
      }
      if (c.state.defendantAgencyId) {
        const k = projected.get(caseDocId(c.state.id))?.doc as ScorecardCaseDoc | undefined;
        expect(k?.hearings, c.state.id).to.deep.equal(c.state.hearings);
        expect(Object.keys(k!.judgments)).to.deep.equal(Object.keys(c.state.judgments));
        withDefendant += 1;
      }
    }
    expect(projected.size).to.equal(handoffs + suggestions + withDefendant);
    expect(handoffs).to.be.greaterThan(50);
    expect(suggestions).to.be.greaterThan(3);
    expect(withDefendant).to.be.greaterThan(3);
  });
});
