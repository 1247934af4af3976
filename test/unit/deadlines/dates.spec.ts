import { expect } from 'chai';
import { addDays, addMonths, chinaDate, compareDates, quarterOf, weekday } from '../../../domain/deadlines/index.js';

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
});
