import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import type { IndexBounds } from '../../../ports/readModelStore.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { projectEvents } from '../../../projections/projection.js';
import {
  filingsDocId,
  ROW_INDEX,
  SCORECARD,
  SCORECARD_R2,
  scorecardBounds,
  scorecardProjection,
  scorecardRevision2Bounds,
  type ScorecardContext,
  type ScorecardFilingsDoc,
} from '../../../projections/scorecard/scorecard.projection.js';
import { at, eventLog } from './support.js';

// Given stored events → then the counts the revision-2 columns of a scorecard row read (graphql.md "Revision 2").

const ctx: ScorecardContext = { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } };

function counts(events: readonly RecordedEvent[], agency: string, quarter: string, today: string) {
  const projected = projectEvents(scorecardProjection, events, ctx);
  const within = (collection: string, b: IndexBounds) =>
    [...(projected.get(collection)?.values() ?? [])].flatMap((d) => d.indexes[ROW_INDEX] ?? []).filter((v) => (b.from === undefined || v >= b.from) && (b.to === undefined || v <= b.to)).length;
  const out: Record<string, number> = {};
  for (const [collection, columns] of Object.entries(scorecardRevision2Bounds(agency, quarter, today))) {
    for (const [column, b] of Object.entries(columns)) out[column] = within(collection, b);
  }
  for (const [column, b] of Object.entries(scorecardBounds(agency, quarter, today))) out[column] = within(SCORECARD, b);
  return out;
}

describe('scorecard projection, revision 2 columns', () => {
  describe('负责人出庭应诉 per case (casesHeard, casesWithHeadAppearance) and headAppearances by appearance', () => {
    const e = eventLog();
    const suit = (id: string) => e(`case-${id}`, 'yl-court', 'case.registered', { kind: 'administrative_litigation', title: '某公司诉市场监管局', parties: [], defendantAgencyId: 'yl-market' }, at('2024-07-01'));
    const scheduled = (id: string, hearingId: string, day: string) => e(`case-${id}`, 'yl-court', 'hearing.scheduled', { hearingId, at: at(day) }, at('2024-07-02'));
    const held = (id: string, hearingId: string, day: string, data: Record<string, unknown>) => e(`case-${id}`, 'yl-court', 'hearing.held', { hearingId, ...data }, at(day));
    const events = [
      // A: two hearings in Q3, entrusted staff then the deputy head → one case heard, with a head
      suit('A'),
      scheduled('A', 'h1', '2024-08-01'),
      scheduled('A', 'h2', '2024-09-10'),
      held('A', 'h1', '2024-08-01', { appearance: 'entrusted_staff' }),
      held('A', 'h2', '2024-09-10', { appearance: 'deputy' }),
      // B: one hearing in Q3 with entrusted staff, one in Q4 with the principal
      suit('B'),
      scheduled('B', 'h1', '2024-08-20'),
      scheduled('B', 'h2', '2024-10-20'),
      held('B', 'h1', '2024-08-20', { appearance: 'entrusted_staff' }),
      held('B', 'h2', '2024-10-21', { appearance: 'principal' }),
      // C: recorded before revision 2, with the flag only
      suit('C'),
      scheduled('C', 'h1', '2024-09-01'),
      held('C', 'h1', '2024-09-02', { agencyHeadAppeared: true }),
    ];

    it('counts each case once per quarter it was heard, with a head if one appeared at any of its hearings', () => {
      const q3 = counts(events, 'yl-market', '2024Q3', '2024-12-31');
      expect(q3).to.include({ casesHeard: 3, casesWithHeadAppearance: 2, hearingsHeld: 4, headAppearances: 2 });
      const q4 = counts(events, 'yl-market', '2024Q4', '2024-12-31');
      expect(q4).to.include({ casesHeard: 1, casesWithHeadAppearance: 1, hearingsHeld: 1, headAppearances: 1 });
    });

    it('counts nothing for another agency', () => {
      expect(counts(events, 'yl-court', '2024Q3', '2024-12-31')).to.include({ casesHeard: 0, casesWithHeadAppearance: 0 });
    });
  });

  describe('self-corrections', () => {
    it('counts each report for the agency that corrected itself, in the quarter reported', () => {
      const e = eventLog();
      const reg = e('case-R1', 'yl-justice', 'case.registered', { kind: 'administrative_reconsideration', title: '复议', parties: [], defendantAgencyId: 'yl-market' }, at('2024-07-01'));
      const selfCorrected = (day: string) => e('case-R1', 'yl-justice', 'self_correction.reported', { agencyId: 'yl-market', action: '撤销原处罚决定' }, at(day));
      const events = [reg, selfCorrected('2024-08-01'), selfCorrected('2024-09-30'), selfCorrected('2024-10-01')];
      expect(counts(events, 'yl-market', '2024Q3', '2024-12-31').selfCorrections).to.equal(2);
      expect(counts(events, 'yl-market', '2024Q4', '2024-12-31').selfCorrections).to.equal(1);
      expect(counts(events, 'yl-justice', '2024Q3', '2024-12-31').selfCorrections).to.equal(0);
    });
  });

  describe('诉前委派调解 (preLitigationMediations, mediationsSucceeded)', () => {
    const e = eventLog();
    const reg = (id: string) => e(`case-${id}`, 'yl-court-xy', 'case.registered', { kind: 'civil_dispute', title: '邻里纠纷', parties: [] }, at('2024-08-01'));
    const requested = (id: string, day: string) => e(`case-${id}`, 'yl-court-xy', 'handoff.requested', { handoffId: 'm', to: 'yl-sfs-xy', purpose: 'entrusted_mediation' }, at(day));
    const received = (id: string, day: string) => e(`case-${id}`, 'yl-sfs-xy', 'handoff.received', { handoffId: 'm' }, at(day));
    const completed = (id: string, outcome: string, day: string) => e(`case-${id}`, 'yl-sfs-xy', 'handoff.completed', { handoffId: 'm', outcome }, at(day));
    const events = [
      reg('M1'), requested('M1', '2024-08-02'), received('M1', '2024-08-03'), completed('M1', 'mediated', '2024-08-20'),
      reg('M2'), requested('M2', '2024-09-02'), received('M2', '2024-09-03'), completed('M2', 'failed', '2024-09-20'),
      reg('M3'), requested('M3', '2024-09-25'),
      // requested in Q3, mediated in Q4: counted in the quarter of the request
      reg('M4'), requested('M4', '2024-09-29'), received('M4', '2024-09-30'), completed('M4', 'mediated', '2024-10-12'),
    ];

    it('counts the requests of the quarter for the sending court, and those completed mediated', () => {
      expect(counts(events, 'yl-court-xy', '2024Q3', '2024-12-31')).to.include({ preLitigationMediations: 4, mediationsSucceeded: 2 });
      expect(counts(events, 'yl-court-xy', '2024Q4', '2024-12-31')).to.include({ preLitigationMediations: 0, mediationsSucceeded: 0 });
    });

    it('still counts the handoffs for the receiving 司法所 as before', () => {
      expect(counts(events, 'yl-sfs-xy', '2024Q3', '2024-12-31')).to.include({ preLitigationMediations: 0, handoffsReceived: 3 });
    });
  });

  describe('社区矫正 state now (correctionsUnreported, correctionsAbsconded)', () => {
    const e = eventLog();
    const reg = (id: string) => e(`case-${id}`, 'yl-police', 'case.registered', { kind: 'criminal', title: '危险驾驶案', parties: [] }, at('2024-08-01'));
    // effective 2024-09-20 → 报到 due 2024-09-30
    const sentenced = (id: string) => e(`case-${id}`, 'yl-court', 'judgment.issued', { judgmentId: 'J', outcome: 'convicted', communityCorrection: true, effectiveAt: '2024-09-20' }, at('2024-09-05'));
    const delivered = (id: string, to = 'yl-justice-ls') => e(`case-${id}`, 'yl-court', 'handoff.requested', { handoffId: 'cc', to, purpose: 'community_correction' }, at('2024-09-21'));
    const reported = (id: string) => e(`case-${id}`, 'yl-justice-ls', 'correction.reported', {}, at('2024-09-27'));
    const absconded = (id: string, day: string) => e(`case-${id}`, 'yl-justice-ls', 'correction.absconded', {}, at(day));
    const located = (id: string, day: string) => e(`case-${id}`, 'yl-justice-ls', 'correction.located', {}, at(day));
    const events = [
      reg('U1'), sentenced('U1'), delivered('U1'), // never reported
      reg('U2'), sentenced('U2'), delivered('U2'), reported('U2'), // reported in time
      reg('U3'), sentenced('U3'), delivered('U3'), reported('U3'), absconded('U3', '2024-11-04'), // absconded
      reg('U4'), sentenced('U4'), delivered('U4'), reported('U4'), absconded('U4', '2024-11-04'), located('U4', '2024-11-10'), // found again
      reg('U5'), sentenced('U5'), // files not yet delivered: the court is answerable
    ];

    it('counts an unreported person from the day after the due date, for the justice bureau the files went to', () => {
      expect(counts(events, 'yl-justice-ls', '2024Q3', '2024-09-30')).to.include({ correctionsUnreported: 0 });
      expect(counts(events, 'yl-justice-ls', '2024Q3', '2024-10-08')).to.include({ correctionsUnreported: 1 });
    });

    it('counts those absconded now, not those located again', () => {
      expect(counts(events, 'yl-justice-ls', '2024Q4', '2024-12-01')).to.include({ correctionsAbsconded: 1 });
    });

    it('is the state now whatever quarter is asked', () => {
      expect(counts(events, 'yl-justice-ls', '2023Q1', '2024-12-01')).to.include({ correctionsUnreported: 1, correctionsAbsconded: 1 });
    });

    it('counts an undelivered case for the court that ordered it, not the justice bureau', () => {
      expect(counts(events, 'yl-court', '2024Q4', '2024-12-01')).to.include({ correctionsUnreported: 1 });
      expect(counts(events, 'yl-justice', '2024Q4', '2024-12-01')).to.include({ correctionsUnreported: 0, correctionsAbsconded: 0 });
    });

    it('moves a case to the justice bureau once its files are delivered', () => {
      const more = [...events, delivered('U5')];
      expect(counts(more, 'yl-court', '2024Q4', '2024-12-01')).to.include({ correctionsUnreported: 0 });
      expect(counts(more, 'yl-justice-ls', '2024Q4', '2024-12-01')).to.include({ correctionsUnreported: 2 });
    });
  });

  describe('收案统计 (court.filings_reported)', () => {
    it('keeps the latest report of each quarter per court', () => {
      const e = eventLog();
      const filings = (period: string, civil: number, administrative: number, day: string, court = 'yl-court-ls') =>
        e(`stats-${court}`, court, 'court.filings_reported', { period, civilFirstInstance: civil, administrativeFirstInstance: administrative }, at(day));
      const events = [filings('2024Q3', 800, 60, '2024-10-08'), filings('2024Q3', 812, 64, '2024-10-15'), filings('2024Q2', 700, 50, '2024-10-09'), filings('2024Q3', 90, 0, '2024-10-08', 'yl-court-xy')];
      const docs = projectEvents(scorecardProjection, events, ctx).get(SCORECARD_R2)!;
      expect(docs.get(filingsDocId('yl-court-ls', '2024Q3'))!.doc).to.deep.include({ agencyId: 'yl-court-ls', period: '2024Q3', civilFirstInstance: 812, administrativeFirstInstance: 64 } satisfies Partial<ScorecardFilingsDoc>);
      expect(docs.get(filingsDocId('yl-court-ls', '2024Q2'))!.doc).to.deep.include({ civilFirstInstance: 700 });
      expect(docs.get(filingsDocId('yl-court-xy', '2024Q3'))!.doc).to.deep.include({ civilFirstInstance: 90 });
    });
  });
});
