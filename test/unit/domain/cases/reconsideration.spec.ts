import { expect } from 'chai';
import { CORRECTIVE_DECISIONS, caseDecider, foldCase } from '../../../../domain/catalog/index.js';
import { deciderSpec } from '../support/givenWhenThen.js';
import { CASE_ID, at, closed, criminalRegistered, ev, litigationRegistered, published, reconsiderationRegistered } from '../support/fixtures.js';

const { given } = deciderSpec(caseDecider);

const registered = reconsiderationRegistered();
const decided = (decision: string, extra: Record<string, unknown> = {}) =>
  ev('ly-justice', 'reconsideration.decided', { decision, ...extra }, at('2024-06-20'));
const correctedNotice = (recipients = ['ly-market', 'ly-gov', 'ly-justice']) =>
  ev(null, 'notice.issued', { noticeId: `${CASE_ID}/reconsideration`, reason: 'reconsideration_corrected', recipients, trigger: 'reconsideration.decided' }, at('2024-06-20'));
const performed = (source = 'ly-market') => ev(source, 'reconsideration.performed', { summary: '已重新作出处理决定' }, at('2024-07-10'));
const orderedPerformance = decided('ordered_performance', { performanceDueAt: '2024-07-20' });

describe('case stream: administrative reconsideration (行政复议)', () => {
  describe('reconsideration.decided — undecided case', () => {
    it('accepts upheld without a copy notice', () => {
      given([registered]).when(published(decided('upheld'))).then([decided('upheld')]);
    });

    for (const decision of CORRECTIVE_DECISIONS) {
      it(`accepts the corrective decision ${decision} and records one copy notice`, () => {
        const event = decided(decision, { performanceDueAt: '2024-07-20' });
        given([registered]).when(published(event)).then([event, correctedNotice()]);
      });
    }

    for (const decision of ['dismissed', 'mediated', 'withdrawn']) {
      it(`accepts ${decision} without a copy notice`, () => {
        given([registered]).when(published(decided(decision))).then([decided(decision)]);
      });
    }

    it('rejects ordered_performance without performanceDueAt or performanceDays', () => {
      given([registered]).when(published(decided('ordered_performance'))).thenRejects('invalid_data', /performanceDueAt/);
    });

    it('accepts ordered_performance with performanceDays, and refuses both a date and days', () => {
      const event = decided('ordered_performance', { performanceDays: 30 });
      given([registered]).when(published(event)).then([event, correctedNotice()]);
      given([registered]).when(published(decided('ordered_performance', { performanceDays: 30, performanceDueAt: '2024-07-20' }))).thenRejects('invalid_data', /只能填写一项/);
    });

    it('rejects a performanceDueAt that is not a date', () => {
      given([registered]).when(published(decided('revoked', { performanceDueAt: '2024/07/20' }))).thenRejects('invalid_data');
    });

    it('rejects an unknown decision', () => {
      given([registered]).when(published(decided('annulled'))).thenRejects('invalid_data');
    });

    it('rejects a decision on a case that is not an administrative reconsideration', () => {
      given([litigationRegistered]).when(published(decided('upheld'))).thenRejects('invalid_transition', /不是行政复议案件/);
    });

    it('rejects a decision by a court (kind not in "by")', () => {
      given([registered]).when(published(ev('ly-court', 'reconsideration.decided', { decision: 'upheld' }))).thenRejects('unauthorized');
    });

    it('rejects a decision on an unknown case', () => {
      given([]).when(published(decided('upheld'))).thenRejects('unknown_case');
    });

    it('rejects a decision on a closed case', () => {
      given([registered, closed('ly-justice', 'withdrawn')]).when(published(decided('upheld'))).thenRejects('invalid_transition', /结案/);
    });

    it('records the decision', () => {
      const state = foldCase(CASE_ID, [registered, orderedPerformance, correctedNotice()]);
      expect(state.status !== 'none' && state.reconsideration).to.deep.equal({
        decision: 'ordered_performance',
        decidedAt: at('2024-06-20'),
        decidedBy: 'ly-justice',
        corrective: true,
        performanceDueAt: '2024-07-20',
        performanceDays: null,
        needsPerformance: true,
        performedAt: null,
        performanceSummary: null,
      });
    });
  });

  describe('reconsideration.decided — decided case', () => {
    it('rejects a second decision', () => {
      given([registered, decided('upheld')]).when(published(decided('revoked'))).thenRejects('invalid_transition', /只能决定一次/);
    });
  });

  describe('reconsideration.performed', () => {
    it('accepts the performance report of the defendant agency', () => {
      given([registered, orderedPerformance, correctedNotice()]).when(published(performed())).then([performed()]);
      const state = foldCase(CASE_ID, [registered, orderedPerformance, correctedNotice(), performed()]);
      expect(state.status !== 'none' && state.reconsideration).to.include({ performedAt: at('2024-07-10'), performanceSummary: '已重新作出处理决定' });
    });

    it('rejects a report before any decision', () => {
      given([registered]).when(published(performed())).thenRejects('invalid_transition', /尚未作出复议决定/);
    });

    it('rejects a report by an agency other than the defendant', () => {
      given([registered, orderedPerformance]).when(published(performed('ly-gov'))).thenRejects('invalid_transition', /被申请人/);
    });

    it('rejects a report when the decision needs no performance (upheld)', () => {
      given([registered, decided('upheld')]).when(published(performed())).thenRejects('invalid_transition', /没有需要履行/);
    });

    it('rejects a second report', () => {
      given([registered, orderedPerformance, performed()]).when(published(performed())).thenRejects('invalid_transition', /重复/);
    });

    it('accepts a report after the case was closed', () => {
      given([registered, decided('revoked'), closed('ly-justice', 'other')]).when(published(performed())).then([performed()]);
    });

    it('rejects a report on an unknown case', () => {
      given([]).when(published(performed())).thenRejects('unknown_case');
    });

    it('rejects a report without summary', () => {
      given([registered, orderedPerformance]).when(published(ev('ly-market', 'reconsideration.performed', {}))).thenRejects('invalid_data');
    });
  });

  describe('correction.reported (社区矫正报到)', () => {
    const correctionJudgment = ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted', communityCorrection: true }, at('2024-10-08'));
    const reported = ev('ly-justice', 'correction.reported', {}, at('2024-10-12'));

    it('accepts the report after a judgment with community correction', () => {
      given([criminalRegistered, correctionJudgment]).when(published(reported)).then([reported]);
      const state = foldCase(CASE_ID, [criminalRegistered, correctionJudgment, reported]);
      expect(state.status !== 'none' && state.correctionReportedAt).to.equal(at('2024-10-12'));
    });

    it('rejects a report without such a judgment', () => {
      given([criminalRegistered, ev('ly-court', 'judgment.issued', { judgmentId: 'J1', outcome: 'convicted' })]).when(published(reported)).thenRejects('invalid_transition', /社区矫正/);
    });

    it('rejects a second report', () => {
      given([criminalRegistered, correctionJudgment, reported]).when(published(reported)).thenRejects('invalid_transition', /重复/);
    });

    it('rejects a report by the police (kind not in "by")', () => {
      given([criminalRegistered, correctionJudgment]).when(published(ev('ly-police', 'correction.reported', {}))).thenRejects('unauthorized');
    });

    it('rejects data on a report (the catalog defines none)', () => {
      given([criminalRegistered, correctionJudgment]).when(published(ev('ly-justice', 'correction.reported', { person: '李某' }))).thenRejects('invalid_data');
    });

    it('accepts a report after the case was closed', () => {
      given([criminalRegistered, correctionJudgment, closed('ly-police')]).when(published(reported)).then([reported]);
    });

    it('rejects a report on an unknown case', () => {
      given([]).when(published(reported)).thenRejects('unknown_case');
    });
  });
});
