import { createRequire } from 'node:module';
import {
  addDays,
  calendarFromYears,
  daysBetween,
  isIsoDate,
  statutoryHolidayCalendar,
  yearOf,
  type IsoDate,
  type LunarCalendar,
  type OfficialYear,
  type WorkingDayCalendar,
} from '../../domain/deadlines/index.js';

/**
 * China's working-day calendar from the npm package `chinese-days` (State Council schedules 2004–2026 in v1.5.7),
 * with operator-supplied years (config) taking precedence over the package's, and for every other year the statutory
 * holidays computed from the package's lunar calendar and solar terms (provisional, deadlines.md rule 6).
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

/** The package's lunar functions, as its CommonJS build exports them (dist/index.d.ts). */
interface ChineseDaysLunar {
  getSolarDateFromLunar(lunarDate: Date): { date: string };
  getLunarDate(date: string): { date: string; lunarMon: number; lunarDay: number; isLeap: boolean };
  getSolarTermDate(year: number, month: number, term: 'pure_brightness'): string;
}

/**
 * The years the package's lunar data (1900–2100) and solar-term formula (its 21st-century constants end with 2099)
 * both cover; 1901 so that 除夕 of the first year has a lunar year before it.
 */
export const CHINESE_DAYS_LUNAR_YEARS = { first: 1901, last: 2099 } as const;

/**
 * The lunar calendar and 清明 from chinese-days, whatever the process time zone. The package's own date type parses
 * 'YYYY-MM-DD' as UTC midnight and prints with local-time getters, so west of UTC it reads and prints the day before:
 *   - getSolarDateFromLunar is given a local-time Date (read back with the same local getters, it is exact);
 *   - getSolarTermDate prints its UTC-midnight result with local getters: the slip is measured on getLunarDate,
 *     which prints the date it was given through the same path, and taken back (zero at or east of UTC, and zero
 *     if the package ever fixes its printing);
 *   - each lunar answer is checked with getLunarDate, whose lunar fields do not depend on the time zone.
 */
export function chineseDaysLunarCalendar(): LunarCalendar {
  const lunar = createRequire(import.meta.url)('chinese-days') as ChineseDaysLunar;
  const covers = (year: number): boolean => Number.isSafeInteger(year) && year >= CHINESE_DAYS_LUNAR_YEARS.first && year <= CHINESE_DAYS_LUNAR_YEARS.last;
  const requireCovered = (year: number): void => {
    if (!covers(year)) throw new RangeError(`chinese-days: no lunar calendar for ${year}`);
  };
  /** how many days the package's printing moves a date around `date` in this process's time zone (0 or −1) */
  const printSlip = (date: IsoDate): number => {
    const printed = lunar.getLunarDate(date).date;
    if (!isIsoDate(printed)) throw new Error(`chinese-days: getLunarDate printed ${JSON.stringify(printed)}`);
    return daysBetween(date, printed);
  };
  return {
    covers,
    solarDateOf(year, month, day) {
      requireCovered(year);
      const { date } = lunar.getSolarDateFromLunar(new Date(year, month - 1, day));
      const check = isIsoDate(date) ? lunar.getLunarDate(date) : null;
      if (check === null || check.lunarMon !== month || check.lunarDay !== day || check.isLeap) {
        throw new Error(`chinese-days: lunar ${year}-${month}-${day} gave ${JSON.stringify(date)}, which it reads back as ${JSON.stringify(check)}`);
      }
      return date;
    },
    qingming(year) {
      requireCovered(year);
      const printed = lunar.getSolarTermDate(year, 4, 'pure_brightness');
      if (!isIsoDate(printed)) throw new Error(`chinese-days: 清明 ${year} printed as ${JSON.stringify(printed)}`);
      return addDays(printed, -printSlip(`${year}-04-05`));
    },
  };
}

/**
 * Build once at the composition root and pass it in: operator years from config override the package's, and the
 * years neither has get the statutory holidays (provisional).
 */
export function chineseDaysCalendar(extraYears: OfficialYear[] = []): WorkingDayCalendar {
  const base = calendarFromYears(chineseDaysOfficialYears(), statutoryHolidayCalendar(chineseDaysLunarCalendar()));
  return extraYears.length === 0 ? base : calendarFromYears(extraYears, base);
}

const isStringMap = (value: unknown): value is Record<IsoDate, string> =>
  typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');

const isChineseDaysData = (value: unknown): value is ChineseDaysData =>
  typeof value === 'object' && value !== null && isStringMap((value as ChineseDaysData).holidays) && isStringMap((value as ChineseDaysData).workdays);
