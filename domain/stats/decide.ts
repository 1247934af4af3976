/**
 * Rules of a statistics stream (events.md §3 Court, `court.filings_reported`): a court reports its 收案统计 of a
 * quarter; the subject names the period (`filings-<period>`); a later report for the same period replaces the earlier
 * (a correction of the figures is a new report, never a rejection).
 */
import type { Agency } from '../shared/agencies.js';
import { AGENCY_KIND_NAMES } from '../catalog/vocabulary.js';
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { DomainEvent } from '../shared/events.js';
import { chinaDate, compareDates } from '../deadlines/index.js';
import { evolveStats, filingsSubject, initialStatsState, type FilingsReportedData, type StatsEvent, type StatsState } from './filings.js';

export interface ReportFilings {
  readonly type: 'ReportFilings';
  /** the envelope subject: must be `filings-<period>` */
  readonly subject: string;
  readonly by: Agency;
  readonly time: string;
  readonly data: FilingsReportedData;
}
export type StatsCommand = ReportFilings;

/** the first day of a quarter `YYYYQn` */
export const quarterStart = (period: string): string => {
  const year = period.slice(0, 4);
  const month = (Number(period.slice(5)) - 1) * 3 + 1;
  return `${year}-${String(month).padStart(2, '0')}-01`;
};

const reportFilings = (command: ReportFilings): StatsEvent[] => {
  const { data, by, subject, time } = command;
  if (by.kind !== 'court') {
    throw new DomainError('unauthorized', `${by.name}（${AGENCY_KIND_NAMES[by.kind]}）无权发布 court.filings_reported：收案统计由法院发布。`);
  }
  if (subject !== filingsSubject(data.period)) {
    throw new DomainError('invalid_data', `收案统计的 subject 应为「${filingsSubject(data.period)}」（filings-统计期间），而不是「${subject}」：请核对 subject 与 period。`);
  }
  // a quarter not yet begun has nothing filed: most likely a typo in the period
  if (compareDates(quarterStart(data.period), chinaDate(time)) > 0) {
    throw new DomainError('invalid_transition', `统计期间 ${data.period} 自 ${quarterStart(data.period)} 开始，晚于发布时间 ${chinaDate(time)}，尚无收案可统计：请核对 period。`);
  }
  return [{ type: 'court.filings_reported', data, time, source: by.id }];
};

export const decideStats = (command: StatsCommand, _state: StatsState): StatsEvent[] => {
  switch (command.type) {
    case 'ReportFilings':
      return reportFilings(command);
    default: {
      const _exhaustive: never = command.type;
      throw new Error(`unknown stats command ${String(_exhaustive)}`);
    }
  }
};

export const statsDecider: Decider<StatsCommand, DomainEvent, StatsState> = {
  decide: decideStats,
  evolve: evolveStats,
  initialState: initialStatsState,
};
