import type { I18n, Key } from './i18n';
import type { Scorecard } from './model';

/**
 * The 季通报 as rows and columns, shared by the page, the CSV and the Excel export so all three say
 * the same. Rates are fractions (null when nothing was counted); changes are in percentage points.
 */
export interface Metric {
  key: 'lossRate' | 'headAppearanceRate' | 'correctionRate' | 'replyRate';
  lowerIsBetter: boolean;
  rate(row: Scorecard): number | null;
  /** part / whole behind the rate */
  counts(row: Scorecard): [number, number];
}

export const METRICS: Metric[] = [
  { key: 'lossRate', lowerIsBetter: true, rate: (r) => r.lossRate, counts: (r) => [r.litigationLost, r.litigationConcluded] },
  { key: 'headAppearanceRate', lowerIsBetter: false, rate: (r) => r.headAppearanceRate, counts: (r) => [r.headAppearances, r.hearingsHeld] },
  { key: 'correctionRate', lowerIsBetter: true, rate: (r) => r.correctionRate, counts: (r) => [r.reconsiderationsCorrected, r.reconsiderationsDecided] },
  {
    key: 'replyRate',
    lowerIsBetter: false,
    rate: (r) => (r.suggestionsReceived === 0 ? null : r.suggestionsRepliedOnTime / r.suggestionsReceived),
    counts: (r) => [r.suggestionsRepliedOnTime, r.suggestionsReceived],
  },
];

export const change = (now: number | null, before: number | null): number | null => (now === null || before === null ? null : now - before);

export interface ScorecardRow {
  current: Scorecard;
  previous: Scorecard | undefined;
}

export function joinQuarters(current: Scorecard[], previous: Scorecard[]): ScorecardRow[] {
  return current.map((row) => ({ current: row, previous: previous.find((p) => p.agency.id === row.agency.id) }));
}

/** One cell of an export: text, a count, a rate (fraction) or a change in percentage points. */
export type Cell = { text: string } | { count: number } | { rate: number | null } | { points: number | null };

const COUNT_COLUMNS: [Key, (r: Scorecard) => number][][] = [
  [
    ['litigationConcluded', (r) => r.litigationConcluded],
    ['litigationLost', (r) => r.litigationLost],
  ],
  [
    ['hearingsHeld', (r) => r.hearingsHeld],
    ['headAppearances', (r) => r.headAppearances],
  ],
  [
    ['reconsiderationsDecided', (r) => r.reconsiderationsDecided],
    ['reconsiderationsCorrected', (r) => r.reconsiderationsCorrected],
  ],
  [
    ['suggestionsReceived', (r) => r.suggestionsReceived],
    ['suggestionsRepliedOnTime', (r) => r.suggestionsRepliedOnTime],
  ],
];

/** Header and rows of the export, in the console's language. */
export function exportTable(rows: ScorecardRow[], quarter: string, i18n: I18n): { header: string[]; rows: Cell[][] } {
  const { t } = i18n;
  const header = [t('agency'), t('quarter')];
  METRICS.forEach((m, i) => header.push(...COUNT_COLUMNS[i]!.map(([k]) => t(k)), t(m.key), `${t(m.key)} ${t('change')}（${i18n.lang === 'zh' ? '百分点' : 'pp'}）`));
  header.push(t('handoffsReceived'), t('handoffsCompletedOnTime'), t('handoffsOverdue'));
  const body = rows.map(({ current, previous }) => {
    const cells: Cell[] = [{ text: current.agency.name }, { text: quarter }];
    METRICS.forEach((m, i) => {
      cells.push(...COUNT_COLUMNS[i]!.map(([, f]) => ({ count: f(current) })));
      cells.push({ rate: m.rate(current) }, { points: previous ? change(m.rate(current), m.rate(previous)) : null });
    });
    cells.push({ count: current.handoffsReceived }, { count: current.handoffsCompletedOnTime }, { count: current.handoffsOverdue });
    return cells;
  });
  return { header, rows: body };
}
