import { createRequire } from 'node:module';
import { calendarFromYears, isIsoDate, yearOf, type IsoDate, type OfficialYear, type WorkingDayCalendar } from '../../domain/deadlines/index.js';

/**
 * China's working-day calendar from the npm package `chinese-days` (State Council schedules 2004–2026 in v1.5.7),
 * with operator-supplied years (config) taking precedence over the package's.
 *
 * We read the package's published data file rather than call its isWorkday(): the package builds its tables and
 * answers with a mix of UTC parsing and local-time getters, so in a process running west of UTC
 * (TZ=America/New_York) it is wrong on about a quarter of all days. The lookup itself is the pure domain calendar.
 */

/** Shape of chinese-days/dist/chinese-days.json: date → 'English,中文,days'. */
export interface ChineseDaysData {
  holidays: Record<string, string>; // rest days, including ones that fall on weekends anyway
  workdays: Record<string, string>; // 调休上班 make-up workdays
  inLieuDays?: Record<string, string>; // 调休 days; already among holidays, not needed here
}

const SPRING_FESTIVAL = '春节';

/**
 * Group the package's entries into official years. A year counts as official only if its data has 春节:
 * every annual notice includes it, whereas a lone entry can be a neighbouring notice's spill-over
 * (the 2008 元旦 break began 2007-12-30), which must not make the whole year look official.
 * Spill-over entries are kept, attached to the nearest official year, because the calendar honours entries by date.
 */
export function officialYearsFromChineseDays(data: ChineseDaysData): OfficialYear[] {
  const entries = [
    ...Object.keys(data.holidays).map((date) => ({ date, kind: 'holidays' as const })),
    ...Object.keys(data.workdays).map((date) => ({ date, kind: 'workdays' as const })),
  ];
  for (const { date } of entries) if (!isIsoDate(date)) throw new Error(`chinese-days: unexpected date key ${JSON.stringify(date)}`);

  const official = [
    ...new Set(Object.entries(data.holidays).filter(([, name]) => name.includes(SPRING_FESTIVAL)).map(([date]) => yearOf(date))),
  ].sort((a, b) => a - b);
  if (official.length === 0) throw new Error('chinese-days: no 春节 entries found — has the data format changed?');

  const byYear = new Map<number, OfficialYear>(official.map((year) => [year, { year, holidays: [], workdays: [] }]));
  for (const { date, kind } of entries) {
    const year = yearOf(date);
    const nearest = official.reduce((best, y) => (Math.abs(y - year) < Math.abs(best - year) ? y : best));
    byYear.get(nearest)![kind].push(date);
  }
  return [...byYear.values()];
}

/** The years the installed chinese-days carries. Node's require cache reads the file only once per process. */
export function chineseDaysOfficialYears(): OfficialYear[] {
  // Loaded with require: an ESM JSON import would need import attributes and would type the whole file.
  const data: unknown = createRequire(import.meta.url)('chinese-days/dist/chinese-days.json');
  if (!isChineseDaysData(data)) throw new Error('chinese-days: dist/chinese-days.json does not have holidays/workdays maps');
  return officialYearsFromChineseDays(data);
}

/** Build once at the composition root and pass it in; operator years from config override the package's. */
export function chineseDaysCalendar(extraYears: OfficialYear[] = []): WorkingDayCalendar {
  const base = calendarFromYears(chineseDaysOfficialYears());
  return extraYears.length === 0 ? base : calendarFromYears(extraYears, base);
}

const isStringMap = (value: unknown): value is Record<IsoDate, string> =>
  typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');

const isChineseDaysData = (value: unknown): value is ChineseDaysData =>
  typeof value === 'object' && value !== null && isStringMap((value as ChineseDaysData).holidays) && isStringMap((value as ChineseDaysData).workdays);
