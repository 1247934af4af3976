import type { Lang } from './i18n';

/** Times are shown in China time whatever the browser's zone: deadlines are counted in China time. */
const ZONE = 'Asia/Shanghai';

export function dateTime(value: string | null | undefined, lang: Lang, seconds = false): string {
  if (!value) return '';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit', fractionalSecondDigits: 3 } : {}),
    hour12: false,
  }).format(new Date(value));
}

/** the China-time date of an instant, YYYY-MM-DD */
export const chinaDate = (value: string | Date): string => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(value));

export const percent = (rate: number | null | undefined): string => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);

/** change in percentage points, e.g. "+12.5" */
export const points = (delta: number | null): string => (delta === null ? '—' : `${delta > 0 ? '+' : delta < 0 ? '−' : '±'}${Math.abs(delta * 100).toFixed(1)}`);

/** "2026Q3" for a date */
export const quarterOf = (date: string): string => `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;

export function previousQuarter(quarter: string): string {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(5));
  return q === 1 ? `${year - 1}Q4` : `${year}Q${q - 1}`;
}

/** the current quarter and the `count - 1` before it, newest first */
export function recentQuarters(today: string, count: number): string[] {
  const list = [quarterOf(today)];
  while (list.length < count) list.push(previousQuarter(list[list.length - 1]!));
  return list;
}
