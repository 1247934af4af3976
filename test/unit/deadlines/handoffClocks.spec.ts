import { expect } from 'chai';
import fc from 'fast-check';
import {
  DEFAULT_DEADLINE_POLICY,
  HANDOFF_EXTENSION_GROUNDS,
  addDays,
  addMonths,
  compareDates,
  handoffClockRule,
  handoffDueDate,
  handoffExtensionRefusal,
  nextWorkingDay,
  type GrantedExtension,
  type HandoffProcedure,
  type HandoffPurpose,
  type IsoDate,
  type PossibleSentence,
} from '../../../domain/deadlines/index.js';
import { HANDOFF_EXTENDED_V1_SCHEMA, foldCase, handoffDeadline, type Handoff, type HandoffDeadline } from '../../../domain/catalog/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { CASE_ID, at, ev } from '../domain/support/fixtures.js';

const calendar = chineseDaysCalendar();
const policy = DEFAULT_DEADLINE_POLICY;
const deps = { calendar, policy };

const FROM_TO: Record<HandoffPurpose, [string, string]> = {
  prosecution_review: ['ly-police', 'ly-proc'],
  supplementary_investigation: ['ly-proc', 'ly-police'],
  public_prosecution: ['ly-proc', 'ly-court'],
  entrusted_mediation: ['ly-court', 'ly-justice'],
  community_correction: ['ly-court', 'ly-justice'],
  criminal_transfer: ['ly-market', 'ly-police'],
  litigation_response: ['ly-court', 'ly-gov'],
  reconsideration_response: ['ly-justice', 'ly-gov'],
  dispute_referral: ['ly-police', 'ly-justice'],
  information_notice: ['ly-gov', 'ly-court'],
};

/**
 * A handoff's clock read the way the platform reads it: the stored events folded into the case, then
 * handoffDeadline. `start` is the day of receipt (or of 受理 with `acceptedOn`); extensions are published
 * the next day.
 */
const clockOf = (
  purpose: HandoffPurpose,
  start: IsoDate,
  options: { request?: Record<string, unknown>; extensions?: Record<string, unknown>[]; startBy?: 'handoff.received' | 'handoff.accepted' } = {},
): HandoffDeadline | null => {
  const [from, to] = FROM_TO[purpose];
  const events = [
    ev('ly-police', 'case.registered', { kind: 'criminal', title: '案', parties: [{ name: '某', role: 'suspect', type: 'person' }] }, at('2023-12-01')),
    ev(from, 'handoff.requested', { handoffId: 'h1', to, purpose, ...options.request }, at(start, '08:00')),
    ev(to, options.startBy ?? 'handoff.received', { handoffId: 'h1' }, at(start, '10:00')),
    ...(options.extensions ?? []).map((data) => ev(to, 'handoff.extended', { handoffId: 'h1', approvedBy: '负责人', ...data }, at(addDays(start, 1)))),
  ];
  const state = foldCase(CASE_ID, events);
  if (state.status === 'none') throw new Error('no case');
  return handoffDeadline(state.handoffs['h1']!, deps);
};
const dueOf = (...args: Parameters<typeof clockOf>): string => {
  const clock = clockOf(...args);
  expect(clock, 'clock started').to.not.equal(null);
  expect(clock!.provisional, '2024 has an official calendar').to.equal(false);
  return clock!.dueDate;
};

describe('handoff clocks (deadlines.md revision 2)', () => {
  describe('worked examples', () => {
    it('entrusted_mediation received 2024-09-13: 30 days → Sunday 10-13 → 2024-10-14', () => {
      expect(dueOf('entrusted_mediation', '2024-09-13')).to.equal('2024-10-14');
    });
    it('prosecution_review received 2024-01-31: 1 month → 2024-02-29', () => {
      expect(dueOf('prosecution_review', '2024-01-31')).to.equal('2024-02-29');
    });
    it('prosecution_review received 2024-01-31, extended major_complex → 2024-03-15', () => {
      expect(dueOf('prosecution_review', '2024-01-31', { extensions: [{ ground: 'major_complex' }] })).to.equal('2024-03-15');
    });
    it('prosecution_review received 2024-04-28, in custody → 2024-05-28', () => {
      expect(dueOf('prosecution_review', '2024-04-28', { request: { inCustody: true } })).to.equal('2024-05-28');
    });
    it('prosecution_review received 2024-09-01, in custody → 2024-10-01 (National Day, not shifted)', () => {
      expect(dueOf('prosecution_review', '2024-09-01', { request: { inCustody: true } })).to.equal('2024-10-01');
    });
    it('prosecution_review received 2024-09-01, not in custody → 2024-10-08', () => {
      expect(dueOf('prosecution_review', '2024-09-01')).to.equal('2024-10-08');
      expect(dueOf('prosecution_review', '2024-09-01', { request: { inCustody: false } })).to.equal('2024-10-08');
    });
    it('public_prosecution accepted 2024-03-29: 2 months → 05-29; extended third_month → Saturday 06-29 → 2024-07-01', () => {
      expect(dueOf('public_prosecution', '2024-03-29', { startBy: 'handoff.accepted' })).to.equal('2024-05-29');
      expect(dueOf('public_prosecution', '2024-03-29', { startBy: 'handoff.accepted', extensions: [{ ground: 'third_month' }] })).to.equal('2024-07-01');
    });
    it('litigation_response received 2024-04-26: 15 days → 2024-05-11 (a make-up Saturday, a working day)', () => {
      expect(dueOf('litigation_response', '2024-04-26')).to.equal('2024-05-11');
    });
    it('reconsideration_response received 2024-09-27: 10 working days → 2024-10-16', () => {
      expect(dueOf('reconsideration_response', '2024-09-27')).to.equal('2024-10-16');
    });
  });

  describe('periods by procedure, possible sentence and ground', () => {
    it('expedited prosecution review: 10 days, 15 when the sentence may exceed one year', () => {
      expect(dueOf('prosecution_review', '2024-03-01', { request: { procedure: 'expedited' } })).to.equal('2024-03-11');
      expect(dueOf('prosecution_review', '2024-03-01', { request: { procedure: 'expedited', possibleSentence: 'over_1y' } })).to.equal('2024-03-18'); // 03-16 Saturday
      expect(dueOf('prosecution_review', '2024-03-01', { request: { procedure: 'expedited', possibleSentence: 'over_1y', inCustody: true } })).to.equal('2024-03-16');
    });
    it('public prosecution: simplified 20 days, 一个半月 over three years; expedited 10 / 15 days', () => {
      const accepted = { startBy: 'handoff.accepted' as const };
      expect(dueOf('public_prosecution', '2024-03-01', { ...accepted, request: { procedure: 'simplified' } })).to.equal('2024-03-21');
      expect(dueOf('public_prosecution', '2024-03-01', { ...accepted, request: { procedure: 'simplified', possibleSentence: 'over_3y' } })).to.equal('2024-04-16'); // 04-01 + 15
      expect(dueOf('public_prosecution', '2024-03-01', { ...accepted, request: { procedure: 'expedited', possibleSentence: 'up_to_1y' } })).to.equal('2024-03-11');
      expect(dueOf('public_prosecution', '2024-03-01', { ...accepted, request: { procedure: 'expedited', possibleSentence: 'over_1y' } })).to.equal('2024-03-18');
    });
    it('public prosecution runs from 受理, not from receipt', () => {
      expect(clockOf('public_prosecution', '2024-03-29')).to.equal(null);
    });
    it('a trial extended to the third month, by the upper court and twice by the Supreme People\'s Court', () => {
      const extensions = [{ ground: 'third_month' }, { ground: 'upper_court' }, { ground: 'supreme_court', days: 30 }, { ground: 'supreme_court', days: 20 }];
      // 03-29 + 3 months = 06-29, + 3 months = 09-29, + 50 days = 11-18 (Monday)
      expect(dueOf('public_prosecution', '2024-03-29', { startBy: 'handoff.accepted', extensions })).to.equal('2024-11-18');
    });
    it('a criminal transfer extended major_complex runs 30 days in all', () => {
      expect(dueOf('criminal_transfer', '2024-09-02')).to.equal('2024-09-05');
      expect(dueOf('criminal_transfer', '2024-09-02', { extensions: [{ ground: 'major_complex' }] })).to.equal('2024-10-08'); // 10-02 → after National Day
      expect(dueOf('criminal_transfer', '2024-09-02', { request: { inCustody: true }, extensions: [{ ground: 'major_complex' }] })).to.equal('2024-10-02');
    });
    it('entrusted mediation and dispute referral add the days the parties agreed, each time', () => {
      expect(dueOf('entrusted_mediation', '2024-09-13', { extensions: [{ ground: 'parties_consent', days: 10 }, { ground: 'parties_consent', days: 5 }] })).to.equal('2024-10-28');
      expect(dueOf('dispute_referral', '2024-09-13')).to.equal('2024-09-29'); // 09-28 Saturday → 09-29 make-up Sunday
      expect(dueOf('dispute_referral', '2024-09-13', { extensions: [{ ground: 'parties_consent', days: 3 }] })).to.equal('2024-10-08');
    });
    it('dispute referral follows the configured period', () => {
      const events = [
        ev('ly-police', 'case.registered', { kind: 'civil_dispute', title: '纠纷', parties: [{ name: '甲', role: 'applicant', type: 'person' }] }, at('2024-09-01')),
        ev('ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-justice', purpose: 'dispute_referral' }, at('2024-09-02')),
        ev('ly-justice', 'handoff.received', { handoffId: 'h1' }, at('2024-09-02')),
      ];
      const state = foldCase(CASE_ID, events);
      if (state.status === 'none') throw new Error('no case');
      expect(handoffDeadline(state.handoffs['h1']!, { calendar, policy: { ...policy, disputeReferralDays: 10 } })!.dueDate).to.equal('2024-09-12');
    });
  });

  describe('revision-1 events keep their meaning', () => {
    it('a stored handoff.extended without ground adds its days once', () => {
      expect(dueOf('prosecution_review', '2024-01-31', { extensions: [{ days: 15 }] })).to.equal('2024-03-15');
      expect(dueOf('public_prosecution', '2024-03-29', { startBy: 'handoff.accepted', extensions: [{ days: 30 }] })).to.equal('2024-06-28');
    });
    it('a handoff read model written before revision 2 (extensionDays, no list) keeps its extension', () => {
      const events = [
        ev('ly-police', 'case.registered', { kind: 'criminal', title: '案', parties: [{ name: '某', role: 'suspect', type: 'person' }] }, at('2023-12-01')),
        ev('ly-police', 'handoff.requested', { handoffId: 'h1', to: 'ly-proc', purpose: 'prosecution_review' }, at('2024-01-31')),
        ev('ly-proc', 'handoff.received', { handoffId: 'h1' }, at('2024-01-31')),
      ];
      const state = foldCase(CASE_ID, events);
      if (state.status === 'none') throw new Error('no case');
      const { extensions: _dropped, inCustody: _c, procedure: _p, possibleSentence: _s, ...stored } = state.handoffs['h1']!;
      const old = { ...stored, extensionDays: 15, extensionApprovedBy: '检察长', extendedAt: at('2024-02-20') } as unknown as Handoff;
      expect(handoffDeadline(old, deps)!.dueDate).to.equal('2024-03-15');
    });
    it('a request without procedure is ordinary', () => {
      expect(dueOf('prosecution_review', '2024-03-01')).to.equal('2024-04-01');
    });
    it('the version-1 schema of handoff.extended stays available for dataschema urn:liandong:handoff.extended:1', () => {
      expect(HANDOFF_EXTENDED_V1_SCHEMA).to.deep.include({ required: ['handoffId', 'days', 'approvedBy'] });
    });
  });

  describe('extension rules (handoffExtensionRefusal)', () => {
    const rule = (purpose: HandoffPurpose, procedure?: HandoffProcedure) => handoffClockRule(purpose, policy, { procedure });
    it('refuses by reason', () => {
      expect(handoffExtensionRefusal(rule('litigation_response'), [], { ground: 'parties_consent', days: 5 })).to.deep.equal({ reason: 'not_extendable' });
      expect(handoffExtensionRefusal(rule('prosecution_review', 'expedited'), [], { ground: 'major_complex' })).to.deep.equal({ reason: 'not_extendable' });
      expect(handoffExtensionRefusal(rule('prosecution_review'), [], { ground: 'third_month' })).to.deep.include({ reason: 'ground_not_allowed' });
      expect(handoffExtensionRefusal(rule('prosecution_review'), [{ ground: 'major_complex', days: null }], { ground: 'major_complex' })).to.deep.include({ reason: 'already_used' });
      expect(handoffExtensionRefusal(rule('prosecution_review'), [{ ground: null, days: 15 }], { ground: 'major_complex' })).to.deep.include({ reason: 'already_used' });
      expect(handoffExtensionRefusal(rule('public_prosecution'), [], { ground: 'upper_court' })).to.deep.include({ reason: 'needs_prior', after: 'third_month' });
      expect(handoffExtensionRefusal(rule('public_prosecution'), [{ ground: 'third_month', days: null }], { ground: 'supreme_court', days: 5 })).to.deep.include({ reason: 'needs_prior', after: 'upper_court' });
      expect(handoffExtensionRefusal(rule('entrusted_mediation'), [], { ground: 'parties_consent' })).to.deep.include({ reason: 'days_required' });
      expect(handoffExtensionRefusal(rule('entrusted_mediation'), [], { ground: 'parties_consent', days: 91 })).to.deep.include({ reason: 'days_out_of_range' });
      expect(handoffExtensionRefusal(rule('entrusted_mediation'), [{ ground: 'parties_consent', days: 90 }], { ground: 'parties_consent', days: 90 })).to.equal(null);
    });
  });

  describe('rules and due dates remembered (shared answers)', () => {
    it('the same purpose, terms and policy periods give the same frozen rule; another period another rule', () => {
      const rule = handoffClockRule('dispute_referral', policy, { procedure: null, possibleSentence: null });
      expect(handoffClockRule('dispute_referral', { ...policy }, {})).to.equal(rule);
      expect(Object.isFrozen(rule) && Object.isFrozen(rule.period) && Object.isFrozen(rule.extensions) && rule.extensions.every((e) => Object.isFrozen(e) && Object.isFrozen(e.effect))).to.equal(true);
      expect(() => {
        (rule.period as { amount: number }).amount = 99;
      }).to.throw(TypeError);
      const shorter = handoffClockRule('dispute_referral', { ...policy, disputeReferralDays: 10 });
      expect(shorter).to.not.equal(rule);
      expect(shorter.period.amount).to.equal(10);
      expect(handoffClockRule('dispute_referral', policy).period.amount).to.equal(policy.disputeReferralDays);
      expect(handoffClockRule('public_prosecution', policy, { procedure: 'simplified', possibleSentence: 'over_3y' })).to.not.equal(
        handoffClockRule('public_prosecution', policy, { procedure: 'simplified', possibleSentence: 'over_1y' }),
      );
    });

    it('an unextended due date, remembered per rule, is what a fresh count gives, in custody or not', () => {
      const purposes = Object.keys(FROM_TO) as HandoffPurpose[];
      fc.assert(
        fc.property(fc.constantFrom(...purposes), fc.integer({ min: 0, max: 3 * 365 }), fc.boolean(), (purpose, offset, inCustody) => {
          const start = addDays('2023-01-01', offset);
          const rule = handoffClockRule(purpose, policy);
          // a copy of the rule is another object: nothing remembered for it yet, so its answer is counted
          const counted = handoffDueDate({ start, rule: structuredClone(rule), extensions: [], inCustody, calendar });
          const remembered = handoffDueDate({ start, rule, extensions: [], inCustody, calendar });
          expect(remembered).to.deep.equal(counted);
          remembered.dueDate = '1999-01-01';
          expect(handoffDueDate({ start, rule, extensions: [], inCustody, calendar })).to.deep.equal(counted);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('properties', () => {
    const startArb = fc.integer({ min: 0, max: 3 * 365 }).map((n) => addDays('2023-01-01', n));
    const termsArb = fc.record({
      procedure: fc.constantFrom<HandoffProcedure | undefined>(undefined, 'ordinary', 'simplified', 'expedited'),
      possibleSentence: fc.constantFrom<PossibleSentence | undefined>(undefined, 'up_to_1y', 'over_1y', 'over_3y'),
    });
    const purposeArb = fc.constantFrom<HandoffPurpose>('prosecution_review', 'supplementary_investigation', 'public_prosecution', 'criminal_transfer', 'entrusted_mediation', 'dispute_referral');
    const requestsArb = fc.array(fc.record({ ground: fc.constantFrom(...HANDOFF_EXTENSION_GROUNDS), days: fc.integer({ min: 1, max: 90 }) }), { maxLength: 6 });

    /** The extensions the rules let through, in order (the others would have been rejected). */
    const granted = (purpose: HandoffPurpose, terms: { procedure?: HandoffProcedure; possibleSentence?: PossibleSentence }, requests: { ground: GrantedExtension['ground'] & string; days: number }[]) => {
      const rule = handoffClockRule(purpose, policy, terms);
      const list: GrantedExtension[] = [];
      for (const r of requests) if (handoffExtensionRefusal(rule, list, r) === null) list.push({ ground: r.ground, days: r.days });
      return { rule, list };
    };

    it('a custody clock never ends after its last calendar day, and is the free clock before the holiday shift', () => {
      // The last calendar day of an unextended ordinary clock, from the statute's words alone.
      const lastDay: Record<string, (start: IsoDate) => IsoDate> = {
        prosecution_review: (s) => addMonths(s, 1),
        supplementary_investigation: (s) => addMonths(s, 1),
        public_prosecution: (s) => addMonths(s, 2),
        criminal_transfer: (s) => addDays(s, 3),
      };
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(lastDay)), startArb, termsArb, requestsArb, (purpose, start, terms, requests) => {
          const p = purpose as HandoffPurpose;
          const { rule, list } = granted(p, terms, requests);
          const custody = handoffDueDate({ start, rule, extensions: list, inCustody: true, calendar }).dueDate;
          const free = handoffDueDate({ start, rule, extensions: list, inCustody: false, calendar }).dueDate;
          expect(compareDates(custody, free)).to.be.at.most(0);
          expect(nextWorkingDay(custody, calendar)).to.equal(free);
          if (list.length === 0 && (terms.procedure ?? 'ordinary') === 'ordinary') expect(custody).to.equal(lastDay[p]!(start));
        }),
        { numRuns: 300 },
      );
    });

    it('an extension never shortens a clock', () => {
      fc.assert(
        fc.property(purposeArb, startArb, termsArb, requestsArb, fc.boolean(), (purpose, start, terms, requests, inCustody) => {
          const { rule, list } = granted(purpose, terms, requests);
          let previous = handoffDueDate({ start, rule, extensions: [], inCustody, calendar }).dueDate;
          for (let n = 1; n <= list.length; n++) {
            const due = handoffDueDate({ start, rule, extensions: list.slice(0, n), inCustody, calendar }).dueDate;
            expect(compareDates(due, previous), `after ${JSON.stringify(list.slice(0, n))}`).to.be.at.least(0);
            previous = due;
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});
