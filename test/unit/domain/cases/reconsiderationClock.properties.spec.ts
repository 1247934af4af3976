import { expect } from 'chai';
import fc from 'fast-check';
import { caseDeadlines, foldCase } from '../../../../domain/catalog/index.js';
import { addDays, DEFAULT_DEADLINE_POLICY } from '../../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../../infra/calendar/chineseDays.js';
import { CASE_ID, at, ev, reconsiderationRegistered } from '../../domain/support/fixtures.js';

const deps = { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY };
const decisionClock = (events: Parameters<typeof foldCase>[1]) => caseDeadlines(foldCase(CASE_ID, events), deps).find((d) => d.name === 'reconsideration_decision')!;

// registrations over 2020–2025 (official calendars), each with a suspension within its first 90 days
const caseArb = fc.record({
  registeredOn: fc.integer({ min: 0, max: 6 * 365 }).map((n) => addDays('2020-01-01', n)),
  suspendAfter: fc.integer({ min: 0, max: 90 }),
  privateEnterprise: fc.boolean(),
  suspendTime: fc.constantFrom('08:30', '12:00', '17:45'),
  resumeTime: fc.constantFrom('08:31', '12:00', '23:59'),
});

describe('reconsideration decision clock: properties (deadlines.md rule 8)', () => {
  it('a suspension and a resumption on the same day change nothing', () => {
    fc.assert(
      fc.property(caseArb, ({ registeredOn, suspendAfter, privateEnterprise, suspendTime, resumeTime }) => {
        const registered = reconsiderationRegistered({ privateEnterprise }, registeredOn);
        const day = addDays(registeredOn, suspendAfter);
        const [first, second] = suspendTime <= resumeTime ? [suspendTime, resumeTime] : [resumeTime, suspendTime];
        const plain = decisionClock([registered]);
        const interrupted = decisionClock([
          registered,
          ev('ly-justice', 'reconsideration.suspended', { reason: '中止' }, at(day, first)),
          ev('ly-justice', 'reconsideration.resumed', {}, at(day, second)),
        ]);
        expect(interrupted).to.deep.equal(plain);
      }),
      { numRuns: 200 },
    );
  });

  it('a suspension never brings the due date earlier, and while it lasts there is no due date', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 60 }), ({ registeredOn, suspendAfter }, length) => {
        const registered = reconsiderationRegistered({}, registeredOn);
        const suspended = ev('ly-justice', 'reconsideration.suspended', { reason: '中止' }, at(addDays(registeredOn, suspendAfter)));
        expect(decisionClock([registered, suspended])).to.include({ dueDate: null, suspended: true, stoppedAt: null });
        const resumed = decisionClock([registered, suspended, ev('ly-justice', 'reconsideration.resumed', {}, at(addDays(registeredOn, suspendAfter + length)))]);
        expect(resumed.dueDate! >= decisionClock([registered]).dueDate!).to.equal(true);
      }),
      { numRuns: 200 },
    );
  });
});
