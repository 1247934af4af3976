import { expect } from 'chai';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import {
  addDays,
  computeDueDate,
  daysBetween,
  statutoryHolidayCalendar,
  statutoryHolidays,
  weekday,
  yearOf,
  type IsoDate,
  type LunarCalendar,
} from '../../../domain/deadlines/index.js';
import { CHINESE_DAYS_LUNAR_YEARS, chineseDaysCalendar, chineseDaysLunarCalendar } from '../../../infra/calendar/chineseDays.js';

// deadlines.md rule 6: a year without a State Council notice still rests on the statutory holidays of
// 《全国年节及纪念日放假办法》 (2024) Art. 2, computed from the lunar calendar and solar terms, and stays provisional.

interface PackageLunar {
  getLunarDate(date: string): { lunarMon: number; lunarDay: number; isLeap: boolean };
  getSolarTerms(start: string, end?: string): { date: string; term: string }[];
}

const require = createRequire(import.meta.url);

/** Runs `work` with the process time zone set to `tz` (Node applies a changed TZ at once), then restores it. */
function inTimeZone<T>(tz: string, work: () => T): T {
  const saved = process.env.TZ;
  process.env.TZ = tz;
  try {
    return work();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

describe('statutory holidays of years without an official calendar', () => {
  const calendar = chineseDaysCalendar();

  describe('deadlines.md worked examples (no official 2030 calendar loaded)', () => {
    it('a 30-day clock received 2030-08-31 → 2030-09-30 (Monday), provisional', () => {
      expect(computeDueDate({ start: '2030-08-31', period: { unit: 'days', amount: 30 }, calendar })).to.deep.equal({ dueDate: '2030-09-30', provisional: true });
    });

    it('a 1-month clock received 2030-09-01 → 10-01 国庆, 10-02, 10-03 holidays → 2030-10-04 (Friday), provisional', () => {
      expect(computeDueDate({ start: '2030-09-01', period: { unit: 'months', amount: 1 }, calendar })).to.deep.equal({ dueDate: '2030-10-04', provisional: true });
    });
  });

  it('2027-01-01 (a Friday, 元旦) is not a working day while 2027 is not loaded, and 2027 is not official', () => {
    expect(weekday('2027-01-01')).to.equal(5);
    expect(calendar.isWorkingDay('2027-01-01')).to.equal(false);
    expect(calendar.isWorkingDay('2027-01-04'), 'the Monday after').to.equal(true);
    expect(calendar.hasOfficialYear(2027)).to.equal(false);
    expect(computeDueDate({ start: '2026-12-02', period: { unit: 'days', amount: 30 }, calendar })).to.deep.equal({ dueDate: '2027-01-04', provisional: true });
  });

  it('knows the lunar holidays of 2027 (春节 2027-02-06: 除夕 02-05 Friday … 初三 02-08 Monday)', () => {
    for (const d of ['2027-02-05', '2027-02-08']) expect(calendar.isWorkingDay(d), d).to.equal(false);
    expect(calendar.isWorkingDay('2027-02-09')).to.equal(true);
  });

  it('keeps official years exactly as the notice has them (2024: 调休 workdays work, 10-04 rests)', () => {
    expect(calendar.isWorkingDay('2024-10-12'), 'Saturday make-up workday').to.equal(true);
    expect(calendar.isWorkingDay('2024-10-04'), 'rest day beyond Art. 2 (调休)').to.equal(false);
    expect(calendar.hasOfficialYear(2024)).to.equal(true);
  });

  it('an operator year replaces the statutory holidays of that year entirely and is official', () => {
    const operated = chineseDaysCalendar([{ year: 2027, holidays: ['2027-02-10'], workdays: ['2027-02-06'] }]);
    expect(operated.isWorkingDay('2027-01-01'), 'not in the operator notice').to.equal(true);
    expect(operated.isWorkingDay('2027-02-10')).to.equal(false);
    expect(operated.isWorkingDay('2027-02-06'), 'Saturday make-up workday').to.equal(true);
    expect(operated.hasOfficialYear(2027)).to.equal(true);
    expect(operated.isWorkingDay('2028-01-03'), '2028 keeps the statutory 元旦 (Saturday) … and Monday works').to.equal(true);
    expect(operated.isWorkingDay('2028-10-02'), '2028 国庆 still rests').to.equal(false);
  });

  it('gives the same holidays whatever the process time zone', () => {
    const all = (): string[] => {
      const lunar = chineseDaysLunarCalendar();
      const years: string[] = [];
      for (let year = CHINESE_DAYS_LUNAR_YEARS.first; year <= CHINESE_DAYS_LUNAR_YEARS.last; year++) years.push(statutoryHolidays(year, lunar).join(' '));
      return years;
    };
    const china = inTimeZone('Asia/Shanghai', all);
    for (const tz of ['UTC', 'America/New_York', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect(inTimeZone(tz, all), tz).to.deep.equal(china);
    }
  });

  it('falls back to weekends only for years the lunar calendar does not cover', () => {
    const beyond = statutoryHolidayCalendar(chineseDaysLunarCalendar());
    expect(beyond.isWorkingDay('2100-01-01'), 'Friday').to.equal(true);
    expect(beyond.isWorkingDay('2100-01-02'), 'Saturday').to.equal(false);
    expect(beyond.hasOfficialYear(2100)).to.equal(false);
  });

  it('refuses a lunar calendar that answers outside the year', () => {
    const broken: LunarCalendar = { covers: () => true, solarDateOf: (year) => `${year + 1}-02-01`, qingming: (year) => `${year}-04-05` };
    expect(() => statutoryHolidays(2030, broken)).to.throw(RangeError);
    expect(() => statutoryHolidayCalendar(broken).isWorkingDay('2030-03-04')).to.throw(RangeError);
  });

  describe('property: a provisional year never treats a statutory holiday as a working day', () => {
    // The oracle asks the package day by day (its lunar date of each day, its solar terms of each day) under
    // Asia/Shanghai, where its printing is right, instead of converting lunar dates to solar ones as the adapter does.
    let lunar: PackageLunar;
    let statutoryByOracle: (date: IsoDate) => boolean;
    before(() => {
      lunar = inTimeZone('Asia/Shanghai', () => require('chinese-days') as PackageLunar);
      const lunarOf = (date: IsoDate) => lunar.getLunarDate(date); // its lunar fields do not depend on the time zone
      const isQingming = (date: IsoDate): boolean =>
        inTimeZone('Asia/Shanghai', () => lunar.getSolarTerms(date).some((t) => t.term === 'pure_brightness' && t.date === date));
      statutoryByOracle = (date) => {
        const md = date.slice(5);
        if (['01-01', '05-01', '05-02', '10-01', '10-02', '10-03'].includes(md)) return true; // 元旦, 劳动节, 国庆节
        const today = lunarOf(date);
        const tomorrow = lunarOf(addDays(date, 1));
        if (today.isLeap) return isQingming(date);
        if (today.lunarMon === 1 && today.lunarDay <= 3) return true; // 春节 正月初一–初三
        if (tomorrow.lunarMon === 1 && tomorrow.lunarDay === 1 && !tomorrow.isLeap) return true; // 除夕
        if (today.lunarMon === 5 && today.lunarDay === 5) return true; // 端午节
        if (today.lunarMon === 8 && today.lunarDay === 15) return true; // 中秋节
        return isQingming(date);
      };
    });

    const from = '2027-01-01';
    const dateArb = fc.integer({ min: 0, max: daysBetween(from, `${CHINESE_DAYS_LUNAR_YEARS.last}-12-31`) }).map((n) => addDays(from, n));

    it('on random days of 2027–2099', () => {
      fc.assert(
        fc.property(dateArb, (date) => {
          expect(calendar.hasOfficialYear(yearOf(date))).to.equal(false);
          if (statutoryByOracle(date)) expect(calendar.isWorkingDay(date), `${date} is a statutory holiday`).to.equal(false);
        }),
        { numRuns: 3000 },
      );
    });

    it('and rests on nothing else but weekends, on every day of 2027–2040', () => {
      let statutory = 0;
      for (let d = from; d <= '2040-12-31'; d = addDays(d, 1)) {
        const holiday = statutoryByOracle(d);
        if (holiday) statutory++;
        const weekend = weekday(d) === 0 || weekday(d) === 6;
        expect(calendar.isWorkingDay(d), d).to.equal(!holiday && !weekend);
      }
      // 13 a year, one fewer when 中秋 falls on 10-01…10-03 (2028-10-03)
      expect(statutory).to.be.within(13 * 14 - 3, 13 * 14);
    });
  });
});
