import { expect } from 'chai';
import {
  computeDueDate,
  DEFAULT_DEADLINE_POLICY,
  handoffClockRule,
  noticeAckPeriod,
  reconsiderationDecisionPeriod,
  suggestionReplyPeriod,
  type DueDate,
  type HandoffPurpose,
} from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';

// deadlines.md "Worked examples (these must hold)": every row goes through the rules table, not a hard-coded period.
const calendar = chineseDaysCalendar();
const policy = DEFAULT_DEADLINE_POLICY;

const handoff = (purpose: HandoffPurpose, start: string, extensionDays?: number): DueDate => {
  const rule = handoffClockRule(purpose, policy);
  if (extensionDays !== undefined) expect(rule.extensions.map((e) => e.ground)).to.include('major_complex');
  return computeDueDate({ start, period: rule.period, extensionDays, calendar });
};

const examples: Array<{ example: string; due: () => DueDate; expected: string }> = [
  { example: 'entrusted_mediation received 2024-09-13: 30 days → Sunday 10-13 → 10-14', due: () => handoff('entrusted_mediation', '2024-09-13'), expected: '2024-10-14' },
  { example: 'prosecution_review received 2024-01-31: 1 month → 02-29', due: () => handoff('prosecution_review', '2024-01-31'), expected: '2024-02-29' },
  { example: 'prosecution_review received 2024-01-31, extended 15 days → 03-15', due: () => handoff('prosecution_review', '2024-01-31', 15), expected: '2024-03-15' },
  {
    example: 'suggestion issued 2024-07-31: 2 months → 09-30',
    due: () => computeDueDate({ start: '2024-07-31', period: suggestionReplyPeriod({ category: 'judicial', urgent: false }), calendar }),
    expected: '2024-09-30',
  },
  {
    example: 'copy notice issued 2024-09-27: 5 working days over National Day → 10-10',
    due: () => computeDueDate({ start: '2024-09-27', period: noticeAckPeriod(policy), calendar }),
    expected: '2024-10-10',
  },
  {
    example: 'reconsideration registered 2024-05-06, privateEnterprise → 30 days → 06-05',
    due: () => computeDueDate({ start: '2024-05-06', period: reconsiderationDecisionPeriod({ simplified: false, privateEnterprise: true, majorOrComplex: false }, policy), calendar }),
    expected: '2024-06-05',
  },
  {
    example: 'reconsideration registered 2024-05-06, no fast track → 60 days → 07-05',
    due: () => computeDueDate({ start: '2024-05-06', period: reconsiderationDecisionPeriod({ simplified: false, privateEnterprise: false, majorOrComplex: false }, policy), calendar }),
    expected: '2024-07-05',
  },
  { example: 'community_correction requested 2024-09-28: 5 days → 10-03 holiday → 10-08', due: () => handoff('community_correction', '2024-09-28'), expected: '2024-10-08' },
  { example: 'entrusted_mediation received 2024-02-05: 30 days → 03-06', due: () => handoff('entrusted_mediation', '2024-02-05'), expected: '2024-03-06' },
];

describe('deadlines.md worked examples', () => {
  for (const { example, due, expected } of examples) {
    it(example, () => {
      expect(due()).to.deep.equal({ dueDate: expected, provisional: false });
    });
  }
});
