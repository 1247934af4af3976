import { expect } from 'chai';
import { createRequire } from 'node:module';
import {
  addDays,
  addWorkingDays,
  calendarFromYears,
  computeDueDate,
  nextWorkingDay,
  weekendOnlyCalendar,
} from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar, chineseDaysOfficialYears, officialYearsFromChineseDays } from '../../../infra/calendar/chineseDays.js';

describe('working-day calendar', () => {
  describe('chinese-days adapter', () => {
    const calendar = chineseDaysCalendar();

    it('knows the 2024 National Day schedule (调休)', () => {
      expect(calendar.isWorkingDay('2024-09-29'), 'Sunday make-up workday').to.equal(true);
      expect(calendar.isWorkingDay('2024-10-12'), 'Saturday make-up workday').to.equal(true);
      for (let d = '2024-10-01'; d <= '2024-10-07'; d = addDays(d, 1)) expect(calendar.isWorkingDay(d), d).to.equal(false);
      expect(calendar.isWorkingDay('2024-10-08')).to.equal(true);
      expect(calendar.isWorkingDay('2024-10-13')).to.equal(false);
    });

    it('counts working days through National Day', () => {
      const days = [1, 2, 3, 4, 5].map((n) => addWorkingDays('2024-09-27', n, calendar));
      expect(days).to.deep.equal(['2024-09-29', '2024-09-30', '2024-10-08', '2024-10-09', '2024-10-10']);
    });

    it('has official data for exactly 2004–2026', () => {
      expect(chineseDaysOfficialYears().map((y) => y.year)).to.deep.equal(Array.from({ length: 23 }, (_, i) => 2004 + i));
      expect(calendar.hasOfficialYear(2003)).to.equal(false);
      expect(calendar.hasOfficialYear(2027)).to.equal(false);
    });

    describe('agrees with the package’s own isWorkday', () => {
      // The package builds its tables and answers with local-time getters, so it is only right when loaded and run at
      // UTC or east of it: pin TZ and load a fresh copy so that whatever TZ the suite runs under, we compare to its best.
      const require = createRequire(import.meta.url);
      let savedTz: string | undefined;
      let isWorkday: (date: string) => boolean;
      before(() => {
        savedTz = process.env.TZ;
        process.env.TZ = 'Asia/Shanghai';
        delete require.cache[require.resolve('chinese-days')];
        isWorkday = (require('chinese-days') as { isWorkday: (date: string) => boolean }).isWorkday;
      });
      after(() => {
        if (savedTz === undefined) delete process.env.TZ;
        else process.env.TZ = savedTz;
      });
      // Only on its official years: for the others the package answers weekends only, and we add the statutory
      // holidays on purpose (deadlines.md rule 6; statutoryHolidays.spec.ts).
      it('on every day of 2004–2026', () => {
        for (let d = '2004-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) expect(calendar.isWorkingDay(d), d).to.equal(isWorkday(d));
      });
      it('but not on the statutory holidays of 2003 and 2027, which it does not know', () => {
        for (const d of ['2003-01-01', '2027-01-01', '2027-10-01']) {
          expect(isWorkday(d), d).to.equal(true);
          expect(calendar.isWorkingDay(d), d).to.equal(false);
        }
      });
    });

    it('lets operator years override a package year entirely and add new ones', () => {
      const operated = chineseDaysCalendar([
        { year: 2026, holidays: ['2026-03-02'], workdays: [] },
        { year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-02'] },
      ]);
      expect(operated.isWorkingDay('2026-03-02')).to.equal(false);
      expect(operated.isWorkingDay('2026-10-01'), 'package holiday dropped by the override').to.equal(true);
      expect(operated.isWorkingDay('2025-10-01'), 'other package years untouched').to.equal(false);
      expect(operated.isWorkingDay('2027-01-01')).to.equal(false);
      expect(operated.isWorkingDay('2027-01-02'), 'Saturday make-up workday').to.equal(true);
      expect(operated.hasOfficialYear(2027)).to.equal(true);
      const start = '2026-12-20';
      const period = { unit: 'days' as const, amount: 30 };
      expect(computeDueDate({ start, period, calendar: operated }).provisional).to.equal(false);
      expect(computeDueDate({ start, period, calendar }).provisional).to.equal(true);
    });

    it('keeps a spill-over entry but does not call its year official', () => {
      const years = officialYearsFromChineseDays({
        holidays: { '2007-12-31': "New Year's Day,元旦,1", '2008-02-07': 'Spring Festival,春节,3' },
        workdays: { '2007-12-29': "New Year's Day,元旦,1" },
      });
      expect(years).to.deep.equal([{ year: 2008, holidays: ['2007-12-31', '2008-02-07'], workdays: ['2007-12-29'] }]);
      const spilled = calendarFromYears(years);
      expect(spilled.isWorkingDay('2007-12-29')).to.equal(true);
      expect(spilled.isWorkingDay('2007-12-31')).to.equal(false);
      expect(spilled.hasOfficialYear(2007)).to.equal(false);
    });
  });

  describe('weekends-only fallback', () => {
    const fallback = weekendOnlyCalendar();

    it('rests on weekends only and has no official year', () => {
      expect(fallback.isWorkingDay('2024-10-01'), 'National Day is unknown to it').to.equal(true);
      expect(fallback.isWorkingDay('2024-10-12')).to.equal(false);
      expect(fallback.hasOfficialYear(2024)).to.equal(false);
    });

    it('marks every computed due date provisional', () => {
      const due = computeDueDate({ start: '2024-09-13', period: { unit: 'days', amount: 30 }, calendar: fallback });
      expect(due).to.deep.equal({ dueDate: '2024-10-14', provisional: true });
    });
  });

  describe('calendarFromYears', () => {
    it('rejects entries it would otherwise ignore silently', () => {
      expect(() => calendarFromYears([{ year: 2027, holidays: ['2027-1-1'], workdays: [] }])).to.throw(RangeError);
      expect(() => calendarFromYears([{ year: 2027, holidays: ['2027-01-02'], workdays: ['2027-01-02'] }])).to.throw(RangeError);
    });

    it('fails on a calendar without working days instead of looping', () => {
      const never = { isWorkingDay: () => false, hasOfficialYear: () => true };
      expect(() => nextWorkingDay('2024-01-01', never)).to.throw(RangeError);
    });
  });
});
