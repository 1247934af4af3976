import { expect } from 'chai';
import { attentionDetail, attentionFactsOfCase, attentionFindings, caseDeadlines, foldCase, type ExistingCase } from '../../../domain/catalog/index.js';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import type { IndexBounds } from '../../../ports/readModelStore.js';
import { ATTENTION, ATTENTION_INDEX, attentionFacts, attentionProjection, type AttentionDoc } from '../../../projections/attention/attention.projection.js';
import { CASES, casesProjection, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { CLOCK_INDEX, ClockDocId, CLOCKS, clocksProjection, type ClockDoc } from '../../../projections/clocks/clocks.projection.js';
import { projectEvents } from '../../../projections/projection.js';
import {
  DISPUTE_ROW_INDEX,
  DISPUTE_SCORECARD,
  disputeDocId,
  disputeScorecardBounds,
  disputeScorecardProjection,
  rectificationDocId,
} from '../../../projections/scorecard/disputeScorecard.projection.js';
import { disputeScorecardRow } from '../../../gateway/resolvers/disputeScorecard.js';
import { at, eventLog } from './support.js';

// Given stored events of legal disputes of state organs (revision 2) → then the read models: the dispute scorecard
// columns, the attention reasons overdue_rectification and dispute_lost, and the rectification clocks.

const deadlines = { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY };
const ctx = { deadlines };

const disputeData = (extra: Record<string, unknown> = {}) => ({
  kind: 'government_dispute',
  title: '某建设公司诉市城投公司建设工程施工合同纠纷',
  parties: [{ name: '辽源市城市建设投资集团有限公司', role: 'defendant', type: 'state_enterprise' }],
  responsibleAgencyId: 'ly-market',
  handlingUnit: '辽源市城市建设投资集团有限公司',
  arisenAt: '2024-09-02',
  ...extra,
});

/** one dispute's life: registered (2024Q3), consulted, concluded (2024Q4), reviewed, two rectifications */
function disputeLife(caseId = 'D1', concludeWith: Record<string, unknown> = { outcome: 'lost', lossAmount: 1_250_000 }) {
  const e = eventLog();
  const stream = `case-${caseId}`;
  return {
    e,
    registered: e(stream, 'ly-market', 'case.registered', disputeData(), at('2024-09-05')),
    consulted: e(stream, 'ly-justice', 'dispute.consulted', { opinion: '积极应诉', participants: ['ly-market', 'ly-court'] }, at('2024-09-20')),
    concluded: e(stream, 'ly-market', 'dispute.concluded', concludeWith, at('2024-11-15')),
    reviewed: e(stream, 'ly-justice', 'accountability.reviewed', { agencyId: 'ly-market', finding: 'fault_found' }, at('2024-11-25')),
    ordered: (id: string, to: string, dueDate: string, day = '2024-11-28') => e(stream, 'ly-justice', 'rectification.ordered', { rectificationId: id, to, summary: '健全合同审查制度', dueDate }, at(day)),
    completed: (id: string, by: string, day: string) => e(stream, by, 'rectification.completed', { rectificationId: id, summary: '已整改' }, at(day)),
  };
}

const fold = (events: readonly RecordedEvent[], caseId: string): ExistingCase => {
  const state = foldCase(
    caseId,
    events.filter((x) => x.streamId === `case-${caseId}`).map((x) => ({ type: x.type, data: x.data, time: x.metadata.time, source: x.metadata.source })),
  );
  if (state.status === 'none') throw new Error('no case');
  return state;
};

describe('legal disputes of state organs: read models (revision 2)', () => {
  describe('dispute scorecard columns', () => {
    type Projected = { doc: unknown; indexes: Record<string, readonly string[]> };
    const docs = (events: readonly RecordedEvent[]) => (projectEvents(disputeScorecardProjection, events, ctx).get(DISPUTE_SCORECARD) ?? new Map()) as Map<string, Projected>;
    /** what countRange answers over the projected entries */
    const counts = (events: readonly RecordedEvent[], agency: string, quarter: string, today: string) => {
      const values = [...docs(events).values()].flatMap((d) => d.indexes[DISPUTE_ROW_INDEX] ?? []);
      const within = (b: IndexBounds) => values.filter((v) => (b.from === undefined || v >= b.from) && (b.to === undefined || v <= b.to)).length;
      return Object.fromEntries(Object.entries(disputeScorecardBounds(agency, quarter, today)).map(([column, b]) => [column, within(b)]));
    };
    const none = { disputesRegistered: 0, disputesRegisteredLate: 0, disputesLost: 0, rectificationsOrdered: 0, rectificationsOverdue: 0 };

    it('counts a registration on time for the responsible agency in the quarter of registration', () => {
      const d = disputeLife();
      expect(counts([d.registered], 'ly-market', '2024Q3', '2024-12-01')).to.deep.equal({ ...none, disputesRegistered: 1 });
      // the registering agency is not the row when another agency is responsible
      const e = eventLog();
      const byGov = e('case-D2', 'ly-gov', 'case.registered', disputeData({ responsibleAgencyId: 'ly-env' }), at('2024-09-05'));
      expect(counts([byGov], 'ly-env', '2024Q3', '2024-12-01')).to.include({ disputesRegistered: 1 });
      expect(counts([byGov], 'ly-gov', '2024Q3', '2024-12-01')).to.include({ disputesRegistered: 0 });
    });

    it('counts a registration after the 备案 period as late (5 working days from arisenAt)', () => {
      const e = eventLog();
      // arisen 2024-09-27: due 2024-10-10; registered 2024-10-11
      const late = e('case-D3', 'ly-market', 'case.registered', disputeData({ arisenAt: '2024-09-27' }), at('2024-10-11'));
      const onTime = e('case-D4', 'ly-market', 'case.registered', disputeData({ arisenAt: '2024-09-27' }), at('2024-10-10'));
      expect(counts([late, onTime], 'ly-market', '2024Q4', '2024-12-01')).to.deep.equal({ ...none, disputesRegistered: 2, disputesRegisteredLate: 1 });
    });

    it('counts a dispute registered under revision 1 (no arisenAt) as registered by its registering agency, not late', () => {
      const e = eventLog();
      const revision1 = e('case-D5', 'ly-gov', 'case.registered', { kind: 'government_dispute', title: '工程款纠纷', parties: [], major: true }, at('2024-09-05'));
      expect(counts([revision1], 'ly-gov', '2024Q3', '2024-12-01')).to.deep.equal({ ...none, disputesRegistered: 1 });
    });

    it('keeps no document for a case of another kind', () => {
      const e = eventLog();
      const litigation = e('case-L1', 'ly-court', 'case.registered', { kind: 'administrative_litigation', title: '张某诉市场监管局', parties: [], defendantAgencyId: 'ly-market' }, at('2024-09-01'));
      expect(docs([litigation]).size).to.equal(0);
    });

    it('counts a lost dispute in the quarter of its conclusion, and not a won one', () => {
      const d = disputeLife();
      expect(docs([d.registered, d.concluded]).get(disputeDocId('D1'))!.doc).to.deep.include({
        responsible: 'ly-market',
        filedLate: false,
        conclusion: { outcome: 'lost', concludedAt: at('2024-11-15'), lossAmount: 1_250_000 },
      });
      expect(counts([d.registered, d.concluded], 'ly-market', '2024Q4', '2024-12-01')).to.deep.equal({ ...none, disputesLost: 1 });
      expect(counts([d.registered, d.concluded], 'ly-market', '2024Q3', '2024-12-01')).to.deep.equal({ ...none, disputesRegistered: 1 });
      const won = disputeLife('D6', { outcome: 'won' });
      expect(counts([won.registered, won.concluded], 'ly-market', '2024Q4', '2024-12-01')).to.deep.equal(none);
    });

    it('counts rectifications for their addressee in the quarter of the order; overdue = running and past due today', () => {
      const d = disputeLife();
      const events = [
        d.registered,
        d.ordered('r1', 'ly-market', '2024-12-10'),
        d.ordered('r2', 'ly-market', '2024-12-20'),
        d.ordered('r3', 'ly-market', '2024-12-05'),
        d.completed('r3', 'ly-market', '2024-12-09'), // completed late: no longer overdue now
        d.ordered('r4', 'ly-env', '2024-12-01'),
      ];
      expect(docs(events).get(rectificationDocId('D1', 'r3'))!.indexes[DISPUTE_ROW_INDEX]).to.deep.equal(['ly-market|2024Q4|ro|~']);
      expect(counts(events, 'ly-market', '2024Q4', '2024-12-10')).to.deep.equal({ ...none, rectificationsOrdered: 3, rectificationsOverdue: 0 });
      expect(counts(events, 'ly-market', '2024Q4', '2024-12-11')).to.deep.equal({ ...none, rectificationsOrdered: 3, rectificationsOverdue: 1 });
      expect(counts(events, 'ly-market', '2024Q4', '2024-12-21')).to.deep.equal({ ...none, rectificationsOrdered: 3, rectificationsOverdue: 2 });
      expect(counts(events, 'ly-env', '2024Q4', '2024-12-21')).to.deep.equal({ ...none, rectificationsOrdered: 1, rectificationsOverdue: 1 });
    });

    it('reads a row from a read-model store: counts and the sum of the loss amounts', async () => {
      const a = disputeLife('D1', { outcome: 'lost', lossAmount: 1_250_000 });
      const b = disputeLife('D7', { outcome: 'partially_lost', lossAmount: 80_000.5 });
      const c = disputeLife('D8', { outcome: 'lost' });
      const events = [a.registered, a.concluded, b.registered, b.concluded, c.registered, c.concluded, a.ordered('r1', 'ly-market', '2024-12-10')];
      const rm = openEmbeddedReadModelStore({ path: ':memory:' });
      try {
        const projected = docs(events);
        await rm.commit(
          disputeScorecardProjection.name,
          1n,
          [...projected].map(([id, p]) => ({ collection: DISPUTE_SCORECARD, id, doc: p.doc, indexes: p.indexes, rangeIndexes: [DISPUTE_ROW_INDEX] })),
        );
        expect(await disputeScorecardRow(rm, 'ly-market', '2024Q4', '2024-12-11')).to.deep.equal({
          disputesRegistered: 0,
          disputesRegisteredLate: 0,
          disputesLost: 3,
          rectificationsOrdered: 1,
          rectificationsOverdue: 1,
          disputeLossAmount: 1_330_000.5,
        });
        expect(await disputeScorecardRow(rm, 'ly-env', '2024Q4', '2024-12-11')).to.deep.include({ disputesLost: 0, disputeLossAmount: 0 });
      } finally {
        await rm.close();
      }
    });
  });

  describe('attention: overdue_rectification and dispute_lost', () => {
    type Projected = { doc: AttentionDoc; indexes: Record<string, readonly string[]> };
    const project = (events: readonly RecordedEvent[], caseId: string) => projectEvents(attentionProjection, events, ctx).get(ATTENTION)!.get(caseId) as Projected;
    const name = (id: string) => ({ 'ly-market': '市场监管局', 'ly-env': '生态环境局' })[id] ?? id;

    it('lists a lost dispute once — until a held meeting discussed it — with its responsible agency and loss', () => {
      const d = disputeLife();
      const p = project([d.registered, d.consulted, d.concluded], 'D1');
      expect(p.indexes[ATTENTION_INDEX]).to.include(`*|D|${new Date(at('2024-11-15')).toISOString()}`);
      expect(p.indexes[ATTENTION_INDEX]).to.include(`v:ly-court|D|${new Date(at('2024-11-15')).toISOString()}`);
      const facts = attentionFacts(p.doc);
      const findings = attentionFindings(facts, '2024-11-20', null);
      expect(findings.map((f) => f.reason)).to.deep.equal(['dispute_lost']);
      expect(attentionDetail(facts, findings[0]!, name)).to.equal('市场监管局 主管的纠纷于 2024-11-15 败诉，损失 125 万元');
      // discussed at a meeting held after the conclusion: off the list; before it: still on
      expect(attentionFindings(facts, '2024-11-20', Date.parse(at('2024-11-18')))).to.deep.equal([]);
      expect(attentionFindings(facts, '2024-11-20', Date.parse(at('2024-11-01'))).map((f) => f.reason)).to.deep.equal(['dispute_lost']);
    });

    it('lists a partial loss, and not a dispute won, settled or still open', () => {
      const partial = disputeLife('D2', { outcome: 'partially_lost' });
      expect(attentionFindings(attentionFacts(project([partial.registered, partial.concluded], 'D2').doc), '2024-11-20', null).map((f) => f.reason)).to.deep.equal(['dispute_lost']);
      for (const outcome of ['won', 'settled', 'mediated', 'withdrawn']) {
        const d = disputeLife('D3', { outcome });
        const p = project([d.registered, d.concluded], 'D3');
        expect(attentionFindings(attentionFacts(p.doc), '2024-11-20', null), outcome).to.deep.equal([]);
        expect(p.indexes[ATTENTION_INDEX], outcome).to.deep.equal([]);
      }
    });

    it('takes a major dispute off the list as major_dispute once it is concluded, whatever the outcome', () => {
      for (const outcome of ['won', 'lost']) {
        const e = eventLog();
        const registered = e('case-M1', 'ly-market', 'case.registered', disputeData({ major: true }), at('2024-09-05'));
        const concludedEvent = e('case-M1', 'ly-market', 'dispute.concluded', { outcome }, at('2024-11-15'));
        const open = project([registered], 'M1');
        expect(attentionFindings(attentionFacts(open.doc), '2024-11-20', null).map((f) => f.reason)).to.deep.equal(['major_dispute']);
        expect(open.indexes[ATTENTION_INDEX]).to.include('*|M|');
        const over = project([registered, concludedEvent], 'M1');
        expect(over.indexes[ATTENTION_INDEX], outcome).to.not.include('*|M|');
        const reasons = attentionFindings(attentionFacts(over.doc), '2024-11-20', null).map((f) => f.reason);
        expect(reasons, outcome).to.deep.equal(outcome === 'lost' ? ['dispute_lost'] : []);
        expect(attentionFactsOfCase(fold([registered, concludedEvent], 'M1'), deadlines).majorDispute, outcome).to.equal(false);
      }
    });

    it('lists a rectification the day after its due date while it is not completed, in a clock lane', () => {
      const d = disputeLife();
      const events = [d.registered, d.ordered('r1', 'ly-market', '2024-12-10'), d.ordered('r2', 'ly-env', '2024-12-20')];
      const p = project(events, 'D1');
      expect(p.indexes[ATTENTION_INDEX]).to.include('*|X|2024-12-10|');
      const facts = attentionFacts(p.doc);
      expect(attentionFindings(facts, '2024-12-10', null)).to.deep.equal([]);
      const late = attentionFindings(facts, '2024-12-21', null);
      expect(late.map((f) => f.reason)).to.deep.equal(['overdue_rectification']);
      expect(attentionDetail(facts, late[0]!, name)).to.equal('市场监管局 应于 2024-12-10 前完成整改；生态环境局 应于 2024-12-20 前完成整改');

      const done = project([...events, d.completed('r1', 'ly-market', '2024-12-15')], 'D1');
      expect(done.indexes[ATTENTION_INDEX]).to.include('*|X|2024-12-20|').and.not.include('*|X|2024-12-10|');
      expect(attentionDetail(attentionFacts(done.doc), attentionFindings(attentionFacts(done.doc), '2024-12-21', null)[0]!, name)).to.equal('生态环境局 应于 2024-12-20 前完成整改');
    });

    it('agrees with the rule applied to the whole case (attentionFactsOfCase)', () => {
      const d = disputeLife();
      const events = [d.registered, d.consulted, d.concluded, d.reviewed, d.ordered('r1', 'ly-market', '2024-12-10'), d.ordered('r2', 'ly-env', '2024-12-20'), d.completed('r2', 'ly-env', '2024-12-19')];
      const fromDoc = attentionFacts(project(events, 'D1').doc);
      const fromCase = attentionFactsOfCase(fold(events, 'D1'), deadlines);
      expect(fromDoc.rectificationClocks).to.deep.equal(fromCase.rectificationClocks);
      expect(fromDoc.disputeLost).to.deep.equal(fromCase.disputeLost);
      for (const today of ['2024-11-20', '2024-12-11', '2024-12-21']) {
        expect(attentionFindings(fromDoc, today, null), today).to.deep.equal(attentionFindings(fromCase, today, null));
      }
    });

    it('reads a document stored before revision 2 (without the new fields) as having neither reason', () => {
      const d = disputeLife();
      const p = project([d.registered], 'D1');
      const old = { ...p.doc } as Partial<AttentionDoc>;
      delete old.rectifications;
      delete old.disputeLost;
      delete old.disputeResponsible;
      expect(attentionFindings(attentionFacts(old as AttentionDoc), '2024-12-21', null)).to.deep.equal([]);
    });
  });

  describe('rectification clocks (clocks view and Case.deadlines)', () => {
    type Projected = { doc: ClockDoc; indexes: Record<string, readonly string[]> };
    const clockDocs = (events: readonly RecordedEvent[]) => (projectEvents(clocksProjection, events, ctx).get(CLOCKS) ?? new Map()) as Map<string, Projected>;

    it('files a running rectification clock for its addressee, seen by who ordered it, and drops it on completion', () => {
      const d = disputeLife();
      const events = [d.registered, d.ordered('r1', 'ly-market', '2024-12-29')];
      const doc = clockDocs(events).get(ClockDocId.rectification('D1', 'r1'))!;
      expect(doc.doc.clocks).to.deep.equal([
        {
          id: 'D1:rectification:r1',
          kind: 'RECTIFICATION',
          name: 'rectification:r1',
          caseId: 'D1',
          owner: 'ly-market',
          dueDate: '2024-12-29',
          dueDateProvisional: false,
          running: true,
          visibleTo: ['ly-justice', 'ly-market'],
        },
      ]);
      expect(doc.indexes[CLOCK_INDEX]).to.include('o:ly-market|2024-12-29|D1:rectification:r1').and.include('k:RECTIFICATION|2024-12-29|D1:rectification:r1');
      expect(doc.indexes[CLOCK_INDEX]).to.include('vo:ly-justice>ly-market|2024-12-29|D1:rectification:r1');

      const done = clockDocs([...events, d.completed('r1', 'ly-market', '2024-12-20')]).get(ClockDocId.rectification('D1', 'r1'))!;
      expect(done.doc.clocks[0]).to.include({ running: false });
      expect(done.indexes[CLOCK_INDEX]).to.deep.equal([]);
    });

    it('puts the clock in the case read model’s deadlines as the case fold computes them', () => {
      const d = disputeLife();
      const events = [d.registered, d.consulted, d.concluded, d.ordered('r1', 'ly-market', '2024-12-29'), d.ordered('r2', 'ly-env', '2025-01-15'), d.completed('r1', 'ly-market', '2024-12-20')];
      const doc = projectEvents(casesProjection, events, ctx).get(CASES)!.get('D1')!.doc as CaseDoc;
      expect(doc.deadlines.map((x) => [x.name, x.dueDate, x.metAt])).to.deep.equal([
        ['rectification:r1', '2024-12-29', at('2024-12-20')],
        ['rectification:r2', '2025-01-15', null],
      ]);
      expect(doc.deadlines).to.deep.equal(caseDeadlines(fold(events, 'D1'), deadlines));
    });
  });
});
