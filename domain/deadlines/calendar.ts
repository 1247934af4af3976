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

/** The fallback for years nobody has loaded: Monday–Friday work, and every answer is provisional. */
export function weekendOnlyCalendar(): WorkingDayCalendar {
  return { isWorkingDay: isWeekday, hasOfficialYear: () => false };
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
