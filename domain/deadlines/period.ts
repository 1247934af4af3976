import { addWorkingDays, nextWorkingDay, type WorkingDayCalendar } from './calendar.js';
import { addDays, addMonths, compareDates, isIsoDate, yearOf, type IsoDate } from './dates.js';
import { boundedMemo, type Memo } from './memo.js';

export type Period = { unit: 'days' | 'months' | 'working_days'; amount: number };

/** provisional: some year the count ran through has no official calendar loaded (deadlines.md rule 6). */
export interface DueDate {
  dueDate: IsoDate;
  provisional: boolean;
}

const requireNonNegativeInteger = (n: number, what: string): void => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
};

/**
 * The due date of a clock started on `start` (the start day is not counted, deadlines.md rules 1–5).
 * An extension (handoff.extended) is added to the unshifted due date and the holiday shift applied after it,
 * so a 1-month period ending on a holiday is not shifted twice.
 * holidayShift defaults to true for days/months; a working_days count already ends on a working day, and an
 * extension on it stays in calendar days unless holidayShift is asked for.
 */
export function computeDueDate(args: {
  start: IsoDate;
  period: Period;
  extensionDays?: number;
  holidayShift?: boolean;
  calendar: WorkingDayCalendar;
}): DueDate {
  const { start, period, extensionDays = 0, calendar } = args;
  const holidayShift = args.holidayShift ?? period.unit !== 'working_days';
  const key = `${start}|${period.unit}|${period.amount}|${extensionDays}|${holidayShift ? 1 : 0}`;
  const memo = rememberedDueDates(calendar);
  const known = memo.get(key);
  if (known !== undefined) return { ...known };
  return { ...memo.remember(key, countDueDate(start, period, extensionDays, holidayShift, calendar)) };
}

/**
 * Due dates already counted, per calendar. Every projection and every fold of a case asks for the same few thousand
 * (start, period) pairs again and again, and counting working days walks the calendar day by day (it was 14 % of a
 * rebuild's CPU). A calendar is fixed once made (a changed config makes a new one), so an answer never goes stale;
 * only answers are kept, never an input that threw. Bounded: the map starts afresh past MAX_REMEMBERED.
 */
const remembered = new WeakMap<WorkingDayCalendar, Memo<string, DueDate>>();
const MAX_REMEMBERED = 200_000;

function rememberedDueDates(calendar: WorkingDayCalendar): Memo<string, DueDate> {
  let known = remembered.get(calendar);
  if (known === undefined) remembered.set(calendar, (known = boundedMemo(MAX_REMEMBERED)));
  return known;
}

function countDueDate(start: IsoDate, period: Period, extensionDays: number, holidayShift: boolean, calendar: WorkingDayCalendar): DueDate {
  requireNonNegativeInteger(period.amount, `period amount (${period.unit})`);
  requireNonNegativeInteger(extensionDays, 'extension days');
  if (!isIsoDate(start)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(start)}`);

  const counted =
    period.unit === 'days'
      ? addDays(start, period.amount)
      : period.unit === 'months'
        ? addMonths(start, period.amount)
        : addWorkingDays(start, period.amount, calendar);
  const extended = addDays(counted, extensionDays);
  const dueDate = holidayShift ? nextWorkingDay(extended, calendar) : extended;
  return { dueDate, provisional: touchesUnofficialYear(start, dueDate, calendar) };
}

/** True when any year from start's to end's (inclusive) lacks official calendar data. */
export function touchesUnofficialYear(start: IsoDate, end: IsoDate, calendar: WorkingDayCalendar): boolean {
  const [from, to] = compareDates(start, end) <= 0 ? [yearOf(start), yearOf(end)] : [yearOf(end), yearOf(start)];
  for (let year = from; year <= to; year++) if (!calendar.hasOfficialYear(year)) return true;
  return false;
}

/** Clocks that end on a date someone set (performanceDueAt, action items): no counting, no shift, never provisional. */
export function fixedDueDate(date: IsoDate): DueDate {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return { dueDate: date, provisional: false };
}
