/**
 * A court's statistics stream (`stats-<agencyId>`, events.md §3 Court): its 收案统计 reports for the 诉源治理 rates
 * (诉前分流率, 万人起诉率). The events, the state and how each event changes it; the rules are in decide.ts.
 */
import type { DomainEvent } from '../shared/events.js';

export type FilingsReportedData = {
  /** the quarter counted, e.g. `2024Q3` */
  readonly period: string;
  /** 一审民事案件收案数 */
  readonly civilFirstInstance: number;
  /** 一审行政案件收案数 */
  readonly administrativeFirstInstance: number;
};

export type StatsEvent = DomainEvent<'court.filings_reported', FilingsReportedData>;
export const STATS_EVENT_TYPES = ['court.filings_reported'] as const;

export interface FilingsReport extends FilingsReportedData {
  readonly reportedAt: string;
  readonly reportedBy: string;
}

export interface StatsState {
  /** period → the latest report for it: a later report for the same period replaces the earlier */
  readonly filings: Readonly<Record<string, FilingsReport>>;
}

export const initialStatsState = (): StatsState => ({ filings: {} });

/** the stream of an agency's statistics */
export const statsStream = (agencyId: string): string => `stats-${agencyId}`;
/** the envelope subject of a filings report */
export const filingsSubject = (period: string): string => `filings-${period}`;

/** One report after one event: the single definition, read by the stream's fold and by the scorecard. */
export const evolveFilingsReport = (report: FilingsReport | null, event: DomainEvent): FilingsReport | null => {
  if (event.type !== 'court.filings_reported') return report;
  const d = event.data as FilingsReportedData;
  return { period: d.period, civilFirstInstance: d.civilFirstInstance, administrativeFirstInstance: d.administrativeFirstInstance, reportedAt: event.time, reportedBy: event.source ?? '' };
};

export const evolveStats = (state: StatsState, event: DomainEvent): StatsState => {
  if (event.type !== 'court.filings_reported') return state;
  const period = (event.data as FilingsReportedData).period;
  const report = evolveFilingsReport(state.filings[period] ?? null, event)!;
  return { filings: { ...state.filings, [period]: report } };
};
