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
  type HandoffProcedure,
  type PossibleSentence,
} from '../../../domain/deadlines/index.js';

describe('clock rules', () => {
  const policy = DEFAULT_DEADLINE_POLICY;

  it('matches the handoff rows of the clock table (ordinary procedure)', () => {
    const table = Object.fromEntries(
      HANDOFF_PURPOSES.map((p) => {
        const { startsOn, stopsOn, period, periodPlusDays, extensions } = handoffClockRule(p, policy);
        const grounds = extensions.map((e) => `${e.ground}${e.once ? '×1' : ''}${e.after ? `<${e.after}` : ''}`).join(',');
        return [p, `${startsOn}→${stopsOn} ${period.amount} ${period.unit}${periodPlusDays ? ` +${periodPlusDays}` : ''} [${grounds}]`];
      }),
    );
    expect(table).to.deep.equal({
      prosecution_review: 'received→completed 1 months [major_complex×1]',
      supplementary_investigation: 'received→completed 1 months []',
      public_prosecution: 'accepted→completed 2 months [third_month×1,upper_court×1<third_month,supreme_court<upper_court]',
      entrusted_mediation: 'received→completed 30 days [parties_consent]',
      community_correction: 'requested→received 5 days []',
      criminal_transfer: 'received→completed 3 days [major_complex×1]',
      litigation_response: 'received→completed 15 days []',
      reconsideration_response: 'received→completed 10 working_days []',
      dispute_referral: 'received→completed 15 days [parties_consent]',
      information_notice: 'received→completed 5 working_days []',
    });
    for (const p of HANDOFF_PURPOSES) expect(handoffClockRule(p, policy).source).to.match(/[\u4e00-\u9fff]/);
  });

  it('chooses the criminal periods by procedure and possible sentence', () => {
    const period = (purpose: 'prosecution_review' | 'public_prosecution', procedure?: HandoffProcedure, possibleSentence?: PossibleSentence) => {
      const rule = handoffClockRule(purpose, policy, { procedure, possibleSentence });
      return `${rule.period.amount} ${rule.period.unit}${rule.periodPlusDays ? ` +${rule.periodPlusDays}` : ''} [${rule.extensions.map((e) => e.ground).join(',')}]`;
    };
    expect(period('prosecution_review', 'expedited')).to.equal('10 days []');
    expect(period('prosecution_review', 'expedited', 'up_to_1y')).to.equal('10 days []');
    expect(period('prosecution_review', 'expedited', 'over_1y')).to.equal('15 days []');
    expect(period('prosecution_review', 'ordinary', 'over_3y')).to.equal('1 months [major_complex]');
    expect(period('public_prosecution', 'simplified')).to.equal('20 days [third_month,upper_court,supreme_court]');
    expect(period('public_prosecution', 'simplified', 'over_1y')).to.equal('20 days [third_month,upper_court,supreme_court]');
    expect(period('public_prosecution', 'simplified', 'over_3y'), '一个半月').to.equal('1 months +15 [third_month,upper_court,supreme_court]');
    expect(period('public_prosecution', 'expedited', 'up_to_1y')).to.equal('10 days [third_month,upper_court,supreme_court]');
    expect(period('public_prosecution', 'expedited', 'over_1y')).to.equal('15 days [third_month,upper_court,supreme_court]');
    expect(period('public_prosecution', 'ordinary', 'over_3y')).to.equal('2 months [third_month,upper_court,supreme_court]');
  });

  it('takes the dispute referral period from the policy', () => {
    expect(handoffClockRule('dispute_referral', { ...policy, disputeReferralDays: 20 }).period).to.deep.equal({ unit: 'days', amount: 20 });
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
