import { expect } from 'chai';
import { addDays, addMonths, chinaDate, compareDates, daysBetween, quarterOf, weekday } from '../../../domain/deadlines/index.js';

describe('dates', () => {
  describe('addMonths clamps to the end of a shorter month', () => {
    const cases: Array<[string, number, string]> = [
      ['2024-01-31', 1, '2024-02-29'], // leap year
      ['2023-01-31', 1, '2023-02-28'],
      ['2000-01-31', 1, '2000-02-29'], // divisible by 400: leap
      ['2100-01-31', 1, '2100-02-28'], // divisible by 100 only: not leap
      ['2024-03-31', 1, '2024-04-30'],
      ['2024-12-31', 2, '2025-02-28'],
      ['2024-03-31', -1, '2024-02-29'],
      ['2024-02-29', 12, '2025-02-28'],
      ['2024-01-15', 0, '2024-01-15'],
    ];
    for (const [date, months, expected] of cases) {
      it(`${date} ${months >= 0 ? '+' : ''}${months} month(s) → ${expected}`, () => {
        expect(addMonths(date, months)).to.equal(expected);
      });
    }
  });

  describe('chinaDate', () => {
    const cases: Array<[string, string]> = [
      ['2024-09-27T17:00:00-07:00', '2024-09-28'], // already the next morning in China
      ['2024-12-31T16:00:00Z', '2025-01-01'],
      ['2024-12-31T15:59:59.999Z', '2024-12-31'],
      ['2024-03-01T00:30:00+08:00', '2024-03-01'],
      ['2024-03-01T05:00:00+14:00', '2024-02-29'],
      ['2016-12-31T23:59:60Z', '2017-01-01'], // leap second
      ['2024-06-30t12:00:00z', '2024-06-30'],
    ];
    for (const [instant, expected] of cases) {
      it(`${instant} → ${expected}`, () => {
        expect(chinaDate(instant)).to.equal(expected);
      });
    }

    for (const bad of ['2024-09-27T10:00:00', '2024-02-30T00:00:00Z', '2024-09-27T24:00:00Z', '2024-09-27T10:00:00+24:00', '2024-09-27']) {
      it(`rejects ${bad}`, () => {
        expect(() => chinaDate(bad)).to.throw(RangeError);
      });
    }
  });

  it('rejects malformed dates instead of computing with them', () => {
    expect(() => addDays('2024-9-1', 1)).to.throw(RangeError);
    expect(() => addDays('2023-02-29', 1)).to.throw(RangeError);
    expect(() => addDays('2024-09-01', 1.5)).to.throw(RangeError);
  });

  it('compares, buckets and names weekdays', () => {
    expect(compareDates('2024-09-30', '2024-10-01')).to.be.below(0);
    expect(compareDates('2024-10-01', '2024-10-01')).to.equal(0);
    expect(compareDates('2025-01-01', '2024-12-31')).to.be.above(0);
    expect(['2024-01-01', '2024-03-31', '2024-07-01', '2024-12-31'].map(quarterOf)).to.deep.equal(['2024Q1', '2024Q1', '2024Q3', '2024Q4']);
    expect(weekday('2024-10-12')).to.equal(6); // a make-up Saturday is still a Saturday
    expect(weekday('2024-09-29')).to.equal(0);
  });

  // dates.ts remembers the dates it parsed and the dates of day numbers and instants it computed: the answers must be
  // those of an independent computation on the first call, on a remembered one, and after a memo was emptied
  describe('remembered answers', () => {
    const DAY_MS = 86_400_000;
    const oracleAddDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
    const oracleChinaDate = (instant: string): string => new Date(Date.parse(instant) + 8 * 3_600_000).toISOString().slice(0, 10);
    const daysFrom = (first: string, count: number): string[] => Array.from({ length: count }, (_, i) => oracleAddDays(first, i));

    it('agree with Date on every day of eleven years, asked twice', () => {
      const days = daysFrom('2019-12-25', 4_030);
      for (let round = 0; round < 2; round++) {
        for (const date of days) {
          for (const n of [-400, -1, 0, 1, 37]) expect(addDays(date, n), `${date} ${n} (round ${round})`).to.equal(oracleAddDays(date, n));
          expect(daysBetween('2019-12-25', date)).to.equal(Math.round((Date.parse(date) - Date.parse('2019-12-25')) / DAY_MS));
          expect(weekday(date)).to.equal(new Date(`${date}T00:00:00Z`).getUTCDay());
        }
      }
    });

    it('agree with Date for instants written with any offset, asked twice', () => {
      const instants = daysFrom('2025-12-28', 10).flatMap((day) =>
        ['00:30:00+08:00', '15:59:59Z', '16:00:00Z', '23:30:00-05:00', '07:59:00+09:30'].map((time) => `${day}T${time}`),
      );
      for (let round = 0; round < 2; round++) for (const instant of instants) expect(chinaDate(instant), instant).to.equal(oracleChinaDate(instant));
    });

    it('stay right after more dates than a memo holds (it is emptied and fills again)', () => {
      // 60,000 days from 1850: more than the 50,000 entries a memo keeps
      let date = '1850-01-01';
      for (let i = 0; i < 60_000; i++) {
        const next = addDays(date, 1);
        expect(next).to.equal(oracleAddDays(date, 1));
        date = next;
      }
      expect(addDays('2024-02-28', 1)).to.equal('2024-02-29');
      expect(addDays('1850-01-01', 1)).to.equal('1850-01-02');
    });

    it('still reject what is not a date, before and after the same text was asked', () => {
      expect(addDays('2025-02-28', 1)).to.equal('2025-03-01');
      for (let round = 0; round < 2; round++) {
        expect(() => addDays('2025-02-29', 1)).to.throw(RangeError);
        expect(() => chinaDate('2025-02-29T10:00:00+08:00')).to.throw(RangeError);
        expect(() => addDays('2025-2-28', 1)).to.throw(RangeError);
      }
    });
  });
});
