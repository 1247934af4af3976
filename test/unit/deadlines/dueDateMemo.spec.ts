import { expect } from 'chai';
import { calendarFromYears, computeDueDate, type WorkingDayCalendar } from '../../../domain/deadlines/index.js';

/** a calendar that counts the questions asked of it */
function countingCalendar(base: WorkingDayCalendar): WorkingDayCalendar & { asked: number } {
  const counting = {
    asked: 0,
    isWorkingDay: (date: string) => {
      counting.asked += 1;
      return base.isWorkingDay(date);
    },
    hasOfficialYear: (year: number) => base.hasOfficialYear(year),
  };
  return counting;
}

describe('computeDueDate remembers what it counted, per calendar', () => {
  const tenWorkingDays = { unit: 'working_days', amount: 10 } as const;

  it('answers a repeated question without walking the calendar again, with the same answer', () => {
    const calendar = countingCalendar(calendarFromYears([]));
    const first = computeDueDate({ start: '2026-09-25', period: tenWorkingDays, calendar });
    const walked = calendar.asked;
    expect(walked).to.be.greaterThan(10);
    const again = computeDueDate({ start: '2026-09-25', period: tenWorkingDays, calendar });
    expect(calendar.asked).to.equal(walked);
    expect(again).to.deep.equal(first);
  });

  it('hands out a copy: changing one answer does not change the next', () => {
    const calendar = calendarFromYears([]);
    const first = computeDueDate({ start: '2026-03-02', period: { unit: 'days', amount: 15 }, calendar });
    const expected = { ...first };
    first.dueDate = '1999-01-01';
    expect(computeDueDate({ start: '2026-03-02', period: { unit: 'days', amount: 15 }, calendar })).to.deep.equal(expected);
  });

  it('keeps the answers of different calendars, extensions and shifts apart', () => {
    const plain = calendarFromYears([]);
    // the same days, with National Day 2026 resting: a different calendar object, so its own answers
    const holidays = calendarFromYears([{ year: 2026, holidays: ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'], workdays: [] }]);
    const start = '2026-09-28';
    const onPlain = computeDueDate({ start, period: tenWorkingDays, calendar: plain });
    const onHolidays = computeDueDate({ start, period: tenWorkingDays, calendar: holidays });
    expect(onPlain.dueDate).to.equal('2026-10-12');
    expect(onHolidays.dueDate).to.equal('2026-10-19');
    expect(computeDueDate({ start, period: tenWorkingDays, calendar: plain }).dueDate).to.equal('2026-10-12');
    expect(computeDueDate({ start, period: tenWorkingDays, extensionDays: 5, calendar: plain }).dueDate).to.equal('2026-10-17');
    expect(computeDueDate({ start, period: tenWorkingDays, extensionDays: 5, holidayShift: true, calendar: plain }).dueDate).to.equal('2026-10-19');
  });

  it('still refuses bad input every time (nothing that threw is remembered)', () => {
    const calendar = calendarFromYears([]);
    for (let i = 0; i < 2; i++) expect(() => computeDueDate({ start: '2026-02-30', period: tenWorkingDays, calendar })).to.throw(RangeError);
  });
});
