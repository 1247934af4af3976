import { expect } from 'chai';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  addWorkingDays,
  calendarFromYears,
  chinaDate,
  compareDates,
  computeDueDate,
  weekday,
  yearOf,
  type IsoDate,
  type OfficialYear,
  type Period,
  type WorkingDayCalendar,
} from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';

const DAY_MS = 86_400_000;
const utcDate = (ms: number): IsoDate => new Date(ms).toISOString().slice(0, 10);

// 1995–2034 straddles the package's 2004–2026 data, so official and unofficial years both get drawn.
const dateArb = fc.integer({ min: 0, max: 40 * 365 }).map((n) => addDays('1995-01-01', n));
const dayOrMonthPeriodArb: fc.Arbitrary<Period> = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((amount) => ({ unit: 'days' as const, amount })),
  fc.integer({ min: 0, max: 36 }).map((amount) => ({ unit: 'months' as const, amount })),
);

// Random official years: holidays only on weekdays, make-up workdays only on weekends, like the real notices.
const officialYearArb = (year: number): fc.Arbitrary<OfficialYear> =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 364 }), { maxLength: 40 })
    .map((offsets) => offsets.map((o) => addDays(`${year}-01-01`, o)))
    .map((dates) => ({
      year,
      holidays: dates.filter((d) => weekday(d) % 6 !== 0),
      workdays: dates.filter((d) => weekday(d) % 6 === 0),
    }));
const randomCalendarArb: fc.Arbitrary<WorkingDayCalendar> = fc
  .subarray(Array.from({ length: 40 }, (_, i) => 1995 + i))
  .chain((years) => fc.tuple(...years.map(officialYearArb)))
  .map((years) => calendarFromYears(years));
const calendarArb = fc.oneof(fc.constant(chineseDaysCalendar()), randomCalendarArb);

describe('deadline properties', () => {
  it('a day or month period always ends on a working day', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, dayOrMonthPeriodArb, fc.integer({ min: 0, max: 30 }), (calendar, start, period, extensionDays) => {
        const { dueDate } = computeDueDate({ start, period, extensionDays, calendar });
        expect(calendar.isWorkingDay(dueDate), dueDate).to.equal(true);
      }),
    );
  });

  it('is monotonic in N for every unit, and in the extension', () => {
    const unitArb = fc.constantFrom<Period['unit']>('days', 'months', 'working_days');
    fc.assert(
      fc.property(calendarArb, dateArb, unitArb, fc.nat(60), fc.nat(60), fc.nat(30), (calendar, start, unit, a, b, ext) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const due = (amount: number, extensionDays = 0) => computeDueDate({ start, period: { unit, amount }, extensionDays, calendar }).dueDate;
        expect(compareDates(due(small), due(large))).to.be.at.most(0);
        expect(compareDates(due(large), due(large, ext))).to.be.at.most(0);
      }),
    );
  });

  it('0 working days is the start date, even on a rest day', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, (calendar, start) => {
        expect(addWorkingDays(start, 0, calendar)).to.equal(start);
        expect(computeDueDate({ start, period: { unit: 'working_days', amount: 0 }, calendar }).dueDate).to.equal(start);
      }),
    );
  });

  it('addWorkingDays(n ≥ 1) is a working day with exactly n working days after the start', () => {
    fc.assert(
      fc.property(calendarArb, dateArb, fc.integer({ min: 1, max: 40 }), (calendar, start, n) => {
        const end = addWorkingDays(start, n, calendar);
        expect(calendar.isWorkingDay(end)).to.equal(true);
        let working = 0;
        for (let d = addDays(start, 1); compareDates(d, end) <= 0; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) working++;
        expect(working).to.equal(n);
      }),
    );
  });

  it('is provisional exactly when a day it runs through lies in an unofficial year', () => {
    const periodArb = fc.oneof(dayOrMonthPeriodArb, fc.integer({ min: 0, max: 60 }).map((amount) => ({ unit: 'working_days' as const, amount })));
    fc.assert(
      fc.property(calendarArb, dateArb, periodArb, (calendar, start, period) => {
        const { dueDate, provisional } = computeDueDate({ start, period, calendar });
        let touched = false;
        for (let d = start; compareDates(d, dueDate) <= 0; d = addDays(d, 1)) touched ||= !calendar.hasOfficialYear(yearOf(d));
        expect(provisional).to.equal(touched);
      }),
    );
  });

  it('chinaDate agrees with Date UTC arithmetic for any instant and offset', () => {
    const offsetArb = fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 });
    const instantArb = fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2099, 0, 1) });
    fc.assert(
      fc.property(instantArb, offsetArb, fc.boolean(), (ms, offset, withFraction) => {
        const local = new Date(ms + offset * 60_000).toISOString(); // wall-clock time at that offset, 'Z' to be replaced
        const sign = offset < 0 ? '-' : '+';
        const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        const body = withFraction ? local.slice(0, -1) : local.slice(0, 19);
        const rfc3339 = offset === 0 && withFraction ? `${body}Z` : `${body}${sign}${hhmm}`;
        expect(chinaDate(rfc3339), rfc3339).to.equal(utcDate(ms + 8 * 3_600_000));
      }),
    );
  });

  it('addDays, addMonths and weekday agree with Date UTC arithmetic', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2199, 0, 1) }), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -50, max: 50 }), (ms, n, months) => {
        const date = utcDate(ms);
        expect(addDays(date, n)).to.equal(utcDate(ms + n * DAY_MS));
        expect(weekday(date)).to.equal(new Date(ms).getUTCDay());
        const d = new Date(ms);
        const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 0)).getUTCDate();
        const expected = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, Math.min(d.getUTCDate(), lastDay));
        expect(addMonths(date, months)).to.equal(utcDate(expected));
      }),
    );
  });
});
