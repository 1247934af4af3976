import { createHash } from 'node:crypto';
import { addDays, yearOf, type WorkingDayCalendar } from '../../domain/deadlines/index.js';
import { canonicalJson } from '../../ports/canonicalJson.js';
import { CHINESE_DAYS_LUNAR_YEARS } from './chineseDays.js';

/**
 * The read models' context version (projections/runner.ts `contextVersion`): a hash of what the calendar answers on
 * every day it can be asked about — working day or not, official year or provisional — and of the deadline policy.
 * Computed from the answers rather than from the inputs, so anything that changes a due date changes it: a year added
 * to `calendar.years`, a chinese-days upgrade with a new State Council notice, a corrected statutory-holiday rule, a
 * changed period in `deadlines`. Configuration that changes nothing (reordered keys, a year repeating the package's)
 * changes nothing, and no rebuild follows.
 */
export function deadlineContextVersion(deadlines: { calendar: WorkingDayCalendar; policy: unknown }): string {
  const { calendar, policy } = deadlines;
  const hash = createHash('sha256');
  const { first, last } = CHINESE_DAYS_LUNAR_YEARS;
  for (let year = first; year <= last; year++) {
    let days = calendar.hasOfficialYear(year) ? 'O' : 'P';
    for (let date = `${year}-01-01`; yearOf(date) === year; date = addDays(date, 1)) days += calendar.isWorkingDay(date) ? '1' : '0';
    hash.update(days);
  }
  hash.update(canonicalJson(policy ?? null));
  return `calendar+policy:${hash.digest('hex').slice(0, 32)}`;
}
