import { expect } from 'chai';
import {
  COMMUNITY_CORRECTION_DELIVERY,
  DEFAULT_DEADLINE_POLICY,
  fixedDueDate,
  HANDOFF_PURPOSES,
  handoffClockRule,
  isLate,
  isOverdue,
  noticeAckPeriod,
  OFFENDER_REPORT,
  reconsiderationDecisionPeriod,
  suggestionReplyPeriod,
} from '../../../domain/deadlines/index.js';

describe('clock rules', () => {
  const policy = DEFAULT_DEADLINE_POLICY;

  it('matches the handoff rows of the clock table', () => {
    const table = Object.fromEntries(
      HANDOFF_PURPOSES.map((p) => {
        const { startsOn, stopsOn, period, maxExtensionDays } = handoffClockRule(p, policy);
        return [p, `${startsOn}→${stopsOn} ${period.amount} ${period.unit} +${maxExtensionDays}`];
      }),
    );
    expect(table).to.deep.equal({
      prosecution_review: 'received→completed 1 months +15',
      supplementary_investigation: 'received→completed 1 months +0',
      public_prosecution: 'received→completed 2 months +30',
      entrusted_mediation: 'received→completed 30 days +0',
      community_correction: 'requested→received 5 days +0',
      criminal_transfer: 'received→completed 3 days +0',
      information_notice: 'received→completed 5 working_days +0',
    });
    for (const p of HANDOFF_PURPOSES) expect(handoffClockRule(p, policy).source).to.match(/[\u4e00-\u9fff]/);
  });

  it('takes configurable periods from the policy', () => {
    const local = { ...policy, informationNoticeWorkingDays: 3, noticeAckWorkingDays: 7 };
    expect(handoffClockRule('information_notice', local).period).to.deep.equal({ unit: 'working_days', amount: 3 });
    expect(noticeAckPeriod(local)).to.deep.equal({ unit: 'working_days', amount: 7 });
  });

  it('chooses the reconsideration decision period', () => {
    const period = (simplified: boolean, privateEnterprise: boolean, p = policy, majorOrComplex = false) =>
      reconsiderationDecisionPeriod({ simplified, privateEnterprise, majorOrComplex }, p).amount;
    expect(period(false, true, policy, true), 'a 重大疑难 private-enterprise case keeps 60 days').to.equal(60);
    expect(period(true, true, policy, true), 'simplified procedure shortens it whatever the policy').to.equal(30);
    expect(period(false, false)).to.equal(60);
    expect(period(true, false)).to.equal(30);
    expect(period(false, true)).to.equal(30);
    expect(period(false, true, { ...policy, privateEnterpriseFastTrack: false })).to.equal(60);
    expect(period(false, true, { ...policy, privateEnterpriseReconsiderationDays: 20 })).to.equal(20);
    expect(period(true, true, { ...policy, privateEnterpriseReconsiderationDays: 45 }), 'fast track caps at 30').to.equal(30);
  });

  it('chooses the suggestion reply period', () => {
    expect(suggestionReplyPeriod({ category: 'public_interest', urgent: true })).to.deep.equal({ unit: 'days', amount: 15 });
    expect(suggestionReplyPeriod({ category: 'public_interest', urgent: false })).to.deep.equal({ unit: 'months', amount: 2 });
    expect(suggestionReplyPeriod({ category: 'judicial', urgent: true })).to.deep.equal({ unit: 'months', amount: 2 });
  });

  it('gives community correction delivery and offender report 10 days', () => {
    expect(COMMUNITY_CORRECTION_DELIVERY).to.deep.equal({ unit: 'days', amount: 10 });
    expect(OFFENDER_REPORT).to.deep.equal({ unit: 'days', amount: 10 });
  });

  it('keeps a fixed due date as given, never provisional', () => {
    expect(fixedDueDate('2024-10-05')).to.deep.equal({ dueDate: '2024-10-05', provisional: false });
  });

  describe('overdue and late', () => {
    const dueDate = '2024-10-14';
    it('is not overdue on the due date itself', () => expect(isOverdue({ dueDate, stopped: false }, '2024-10-14')).to.equal(false));
    it('is overdue the day after', () => expect(isOverdue({ dueDate, stopped: false }, '2024-10-15')).to.equal(true));
    it('is never overdue once stopped', () => expect(isOverdue({ dueDate, stopped: true }, '2025-01-01')).to.equal(false));
    it('is on time when stopped on the due date', () => expect(isLate({ dueDate, stoppedOn: '2024-10-14' })).to.equal(false));
    it('is late when stopped the day after', () => expect(isLate({ dueDate, stoppedOn: '2024-10-15' })).to.equal(true));
    it('is not late while still running', () => expect(isLate({ dueDate, stoppedOn: null })).to.equal(false));
  });
});
