import { addDays, isIsoDate, weekday, yearOf, type IsoDate } from './dates.js';

/** Which days count as working days (deadlines.md rule 6). Adapters load the data; the domain only asks. */
export interface WorkingDayCalendar {
  /** Official State Council schedule incl. 调休 make-up workdays; weekends-only for years without official data. */
  isWorkingDay(date: IsoDate): boolean;
  /** false → results that touch this year are provisional (dueDateProvisional). */
  hasOfficialYear(year: number): boolean;
}

/**
 * One year's State Council schedule (国务院办公厅关于X年部分节假日安排的通知).
 * holidays = rest days that would otherwise be working days (weekend entries are allowed and change nothing);
 * workdays = make-up workdays (调休上班) that fall on weekends.
 * An entry may lie in a neighbouring year (the 2012 notice made 2011-12-31 a workday); it is honoured by date.
 */
export interface OfficialYear {
  year: number;
  holidays: IsoDate[];
  workdays: IsoDate[];
}

const isWeekday = (date: IsoDate): boolean => {
  const day = weekday(date);
  return day !== 0 && day !== 6;
};

/** Monday–Friday work, and every answer is provisional: for years no lunar calendar covers either. */
export function weekendOnlyCalendar(): WorkingDayCalendar {
  return { isWorkingDay: isWeekday, hasOfficialYear: () => false };
}

/**
 * The astronomy the statutory holidays need, from a maintained library (an adapter: infra/calendar/chineseDays.ts).
 * The domain keeps no lunar or solar-term tables, only the law's list of which days they make holidays.
 */
export interface LunarCalendar {
  /** whether the library can answer for this Gregorian year; years it cannot fall back to weekends only */
  covers(year: number): boolean;
  /** the Gregorian date of lunar `month`/`day` (the ordinary month, not a leap 闰月) of the lunar year whose 正月初一 lies in `year` */
  solarDateOf(year: number, month: number, day: number): IsoDate;
  /** the 清明 solar-term day of `year` */
  qingming(year: number): IsoDate;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const fixedDate = (year: number, month: number, day: number): IsoDate => `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;

/**
 * The statutory holidays of `year` under 《全国年节及纪念日放假办法》 (2024 revision, in force 2025-01-01) Art. 2
 * (deadlines.md rule 6): 元旦 1 Jan; 春节 除夕 and 正月初一–初三; 清明节 the 清明 day; 劳动节 1–2 May; 端午节 五月初五;
 * 中秋节 八月十五; 国庆节 1–3 Oct. Thirteen days, ascending; some may fall on a weekend (no 调休 is known without
 * the State Council notice).
 */
export function statutoryHolidays(year: number, lunar: LunarCalendar): IsoDate[] {
  if (!Number.isSafeInteger(year) || !lunar.covers(year)) throw new RangeError(`no lunar calendar for year ${year}`);
  const lunarDate = (month: number, day: number): IsoDate => lunar.solarDateOf(year, month, day);
  const springFestival = lunarDate(1, 1);
  const holidays = [
    fixedDate(year, 1, 1), // 元旦
    addDays(springFestival, -1), // 除夕: the last day of the old lunar year, whether it has 29 or 30 days
    springFestival,
    addDays(springFestival, 1),
    addDays(springFestival, 2),
    lunar.qingming(year),
    fixedDate(year, 5, 1), // 劳动节
    fixedDate(year, 5, 2),
    lunarDate(5, 5), // 端午节
    lunarDate(8, 15), // 中秋节
    fixedDate(year, 10, 1), // 国庆节
    fixedDate(year, 10, 2),
    fixedDate(year, 10, 3),
  ];
  // A broken adapter (a time-zone slip, a wrong year) would shift deadlines silently; failing is better.
  for (const date of holidays) {
    if (!isIsoDate(date) || yearOf(date) !== year) throw new RangeError(`statutory holidays of ${year}: the lunar calendar gave ${JSON.stringify(date)}`);
  }
  return [...new Set(holidays)].sort();
}

/**
 * The calendar for years without a State Council notice (deadlines.md rule 6): weekends and the statutory holidays
 * rest, every other day works (make-up workdays are unknown), and every answer is provisional. Years the lunar
 * calendar does not cover rest on weekends only.
 */
export function statutoryHolidayCalendar(lunar: LunarCalendar): WorkingDayCalendar {
  // A year's holidays are computed once: counting a due date asks about every day it passes.
  const byYear = new Map<number, ReadonlySet<IsoDate>>();
  const holidaysOf = (year: number): ReadonlySet<IsoDate> => {
    let holidays = byYear.get(year);
    if (holidays === undefined) byYear.set(year, (holidays = new Set(lunar.covers(year) ? statutoryHolidays(year, lunar) : [])));
    return holidays;
  };
  return {
    isWorkingDay: (date) => isWeekday(date) && !holidaysOf(yearOf(date)).has(date),
    hasOfficialYear: () => false,
  };
}

/**
 * A calendar from official years on top of `base`. A listed year replaces the base's data for that year
 * entirely (an operator correcting or adding a year must not inherit stale entries); other years ask `base`.
 */
export function calendarFromYears(years: OfficialYear[], base: WorkingDayCalendar = weekendOnlyCalendar()): WorkingDayCalendar {
  const listedYears = new Set<number>();
  const working = new Map<IsoDate, boolean>();
  for (const { year, holidays, workdays } of years) {
    if (!Number.isSafeInteger(year)) throw new RangeError(`official calendar year must be an integer, got ${year}`);
    listedYears.add(year);
    for (const [dates, isWorking] of [[holidays, false], [workdays, true]] as const) {
      for (const date of dates) {
        // A malformed entry would otherwise be ignored silently and shift every deadline around it.
        if (!isIsoDate(date)) throw new RangeError(`official calendar ${year}: not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
        if (working.get(date) === !isWorking) throw new RangeError(`official calendar ${year}: ${date} is both a holiday and a workday`);
        working.set(date, isWorking);
      }
    }
  }
  return {
    isWorkingDay: (date) => {
      const listed = working.get(date);
      if (listed !== undefined) return listed;
      return listedYears.has(yearOf(date)) ? isWeekday(date) : base.isWorkingDay(date);
    },
    hasOfficialYear: (year) => listedYears.has(year) || base.hasOfficialYear(year),
  };
}

// No real calendar rests this long (the longest official break is 10 days); a longer run means broken data,
// and failing beats looping forever.
const MAX_REST_RUN = 366;

/** The date itself when it is a working day, else the first working day after it. */
export function nextWorkingDay(date: IsoDate, cal: WorkingDayCalendar): IsoDate {
  let current = date;
  for (let rest = 0; !cal.isWorkingDay(current); rest++) {
    if (rest >= MAX_REST_RUN) throw new RangeError(`no working day within ${MAX_REST_RUN} days after ${date}: calendar data is broken`);
    current = addDays(current, 1);
  }
  return current;
}

/** The n-th working day after start (the start day itself is not counted); n = 0 → start. */
export function addWorkingDays(start: IsoDate, n: number, cal: WorkingDayCalendar): IsoDate {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`working days must be a non-negative integer, got ${n}`);
  if (!isIsoDate(start)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(start)}`);
  let current = start;
  for (let counted = 0; counted < n; counted++) current = nextWorkingDay(addDays(current, 1), cal);
  return current;
}

/**
 * Working days left from `today` until `dueDate` (graphql.md Clock.daysLeft): the working days after today up to and
 * including the due date — 0 when it is due today (or on the rest days before the next working day). Past its due
 * date the count is negative: minus the working days after the due date up to and including today, and at least
 * -1, since an overdue clock must never read as "due today".
 */
export function workingDaysLeft(today: IsoDate, dueDate: IsoDate, cal: WorkingDayCalendar): number {
  if (!isIsoDate(today) || !isIsoDate(dueDate)) throw new RangeError(`not calendar dates: ${JSON.stringify([today, dueDate])}`);
  const countAfter = (from: IsoDate, to: IsoDate): number => {
    let counted = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) counted++;
    return counted;
  };
  if (dueDate >= today) return countAfter(today, dueDate);
  return -Math.max(1, countAfter(dueDate, today));
}

/**
 * The last due date with at most `n` working days left on `today` (workingDaysLeft ≤ n): the day before the
 * (n+1)-th working day after today. `clocks(dueWithinDays: n)` reads due dates from today to this one.
 */
export function lastDueWithinWorkingDays(today: IsoDate, n: number, cal: WorkingDayCalendar): IsoDate {
  return addDays(addWorkingDays(today, n + 1, cal), -1);
}
