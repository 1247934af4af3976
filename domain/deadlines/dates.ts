/**
 * Calendar dates as 'YYYY-MM-DD' strings. Deadlines are whole days in China time (deadlines.md), so
 * everything here is integer day arithmetic on the proleptic Gregorian calendar: no Date object, no
 * process time zone, no clock.
 */
import { boundedMemo } from './memo.js';

export type IsoDate = string; // 'YYYY-MM-DD'

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time: seconds may be 60 (leap second); the offset is mandatory ('Z' or ±hh:mm).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const CHINA_OFFSET_MINUTES = 8 * 60; // Asia/Shanghai has had no DST since 1991
const MINUTES_PER_DAY = 24 * 60;

const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

interface Ymd {
  year: number;
  month: number; // 1–12
  day: number;
}

const parseYmd = (year: string, month: string, day: string): Ymd | null => {
  const ymd = { year: Number(year), month: Number(month), day: Number(day) };
  if (ymd.month < 1 || ymd.month > 12 || ymd.day < 1 || ymd.day > daysInMonth(ymd.year, ymd.month)) return null;
  return ymd;
};

export const isIsoDate = (value: unknown): value is IsoDate => {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  return m !== null && parseYmd(m[1]!, m[2]!, m[3]!) !== null;
};

/**
 * The dates parsed and the day numbers turned into dates, remembered. Clocks count working days one day at a time, and
 * every event of a handoff recomputes its clock in several projections: the same few thousand dates were parsed with a
 * regular expression again and again (an allocation profile of the HTTP ingest put 195 MB of RegExp#exec results in
 * 30,000 events, the largest shares from the parsing in this file). Results never change, so remembering them changes no
 * answer; each memo is emptied when it reaches MEMO_LIMIT entries (over a century of days), which bounds its memory
 * whatever it is asked.
 */
const MEMO_LIMIT = 50_000;
const parsedDates = boundedMemo<string, Readonly<Ymd>>(MEMO_LIMIT);
const datesOfDays = boundedMemo<number, IsoDate>(MEMO_LIMIT);
const chinaDates = boundedMemo<string, IsoDate>(MEMO_LIMIT);

const toYmd = (date: IsoDate): Readonly<Ymd> => {
  const known = parsedDates.get(date);
  if (known !== undefined) return known;
  const m = ISO_DATE.exec(date);
  const ymd = m && parseYmd(m[1]!, m[2]!, m[3]!);
  if (!ymd) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return parsedDates.remember(date, Object.freeze(ymd));
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const fromYmd = ({ year, month, day }: Ymd): IsoDate => {
  if (year < 0 || year > 9999) throw new RangeError(`date out of range: year ${year}`);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
};

// Day number ⇄ civil date, Howard Hinnant's algorithms (days_from_civil / civil_from_days), day 0 = 1970-01-01.
const toDayNumber = ({ year, month, day }: Ymd): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

const fromDayNumber = (dayNumber: number): Ymd => {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
};

/** the date of a day number (fromYmd's range check included: a day it refuses is not remembered) */
const dateOfDay = (dayNumber: number): IsoDate => {
  const known = datesOfDays.get(dayNumber);
  return known !== undefined ? known : datesOfDays.remember(dayNumber, fromYmd(fromDayNumber(dayNumber)));
};

const requireInteger = (n: number, what: string): void => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer, got ${n}`);
};

/** The China-time (UTC+8) calendar date of an RFC 3339 instant, whatever offset it was written with. */
export function chinaDate(rfc3339: string): IsoDate {
  // the same instants come back many times: a handoff's clock is recomputed from its times in several projections
  const known = chinaDates.get(rfc3339);
  return known !== undefined ? known : chinaDates.remember(rfc3339, chinaDateOf(rfc3339));
}

function chinaDateOf(rfc3339: string): IsoDate {
  const invalid = () => new RangeError(`not an RFC 3339 date-time with offset: ${JSON.stringify(rfc3339)}`);
  const m = RFC3339.exec(rfc3339);
  if (!m) throw invalid();
  const ymd = parseYmd(m[1]!, m[2]!, m[3]!);
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  const [offsetHours, offsetMins] = m[7] ? [0, 0] : [Number(m[9]), Number(m[10])];
  if (!ymd || hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMins > 59) throw invalid();
  const offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  // Offsets are whole minutes, so seconds (even a leap second 23:59:60) never change the date.
  const chinaMinutes = toDayNumber(ymd) * MINUTES_PER_DAY + hour * 60 + minute - offsetMinutes + CHINA_OFFSET_MINUTES;
  return dateOfDay(Math.floor(chinaMinutes / MINUTES_PER_DAY));
}

export function addDays(date: IsoDate, n: number): IsoDate {
  requireInteger(n, 'days');
  return dateOfDay(toDayNumber(toYmd(date)) + n);
}

/** Same day-of-month n months later; a day the target month lacks becomes its last day (民法典 Art. 202 style). */
export function addMonths(date: IsoDate, n: number): IsoDate {
  requireInteger(n, 'months');
  const { year, month, day } = toYmd(date);
  const monthIndex = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  return fromYmd({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Negative, zero or positive like a sort comparator; validates both sides so typos don't compare silently. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  const diff = toDayNumber(toYmd(a)) - toDayNumber(toYmd(b));
  return Math.sign(diff);
}

/** Whole days from a to b (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(toYmd(b)) - toDayNumber(toYmd(a));
}

export function yearOf(date: IsoDate): number {
  return toYmd(date).year;
}

/** '2024Q3' — the statistics bucket of a date. */
export function quarterOf(date: IsoDate): string {
  const { year, month } = toYmd(date);
  return `${pad(year, 4)}Q${Math.ceil(month / 3)}`;
}

/** 0 = Sunday … 6 = Saturday (the same numbering as Date#getUTCDay). */
export function weekday(date: IsoDate): number {
  // Day 0 (1970-01-01) was a Thursday.
  return (((toDayNumber(toYmd(date)) + 4) % 7) + 7) % 7;
}
