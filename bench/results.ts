/**
 * What a measurement reports. Every figure comes with a baseline measured in the same run on the same machine,
 * and the ratio between them, because these machines are shared and noisy: the ratio moves less than the figure.
 */
import { writeFileSync } from 'node:fs';

export const METRIC_NAMES = [
  'ingest_http',
  'ingest_kafka',
  'ingest_postgres',
  'rebuild_embedded',
  'rebuild_redis',
  'graphql_dossier_p99',
  'graphql_board_p99',
  'graphql_clocks_p99',
  'graphql_scorecard_p99',
  'asof_p50',
  'audit_verify',
  'chain_overhead',
  'rss_1m',
  'healthz_p99_under_load',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Figure {
  name: string;
  value: number | null;
  unit?: string;
  /** value / this metric's value, or this metric's value / value, as `note` says */
  ratio?: number | null;
  note?: string;
}

export interface Metric {
  name: MetricName;
  /** null when skipped */
  value: number | null;
  unit: string;
  /** `unit` only where it differs from the metric's */
  baseline: { name: string; value: number | null; unit?: string } | null;
  /** value / baseline.value */
  ratio: number | null;
  /** the issue's target, in words, and whether this run met it (null: no target, or skipped) */
  target?: string;
  met?: boolean | null;
  /** why there is no value */
  skipped?: string;
  /** other baselines and figures of the same measurement (p50 beside p99, Emmett beside the ceiling …) */
  figures?: Figure[];
  notes?: string[];
}

export const ratioOf = (value: number | null, baseline: number | null): number | null =>
  value === null || baseline === null || baseline === 0 || !Number.isFinite(value) || !Number.isFinite(baseline) ? null : value / baseline;

export function skipped(name: MetricName, unit: string, reason: string, target?: string): Metric {
  return { name, value: null, unit, baseline: null, ratio: null, skipped: reason, ...(target ? { target, met: null } : {}) };
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** figures as people read them: three significant digits at most, ratios to three decimals */
export function tidy(metric: Metric): Metric {
  const v = (n: number | null) => (n === null ? null : Math.abs(n) >= 100 ? Math.round(n) : round(n, 2));
  const r = (n: number | null | undefined) => (n === null || n === undefined ? (n ?? null) : round(n, 3));
  return {
    ...metric,
    value: v(metric.value),
    baseline: metric.baseline ? { ...metric.baseline, value: v(metric.baseline.value) } : null,
    ratio: r(metric.ratio),
    ...(metric.figures ? { figures: metric.figures.map((f) => ({ ...f, value: v(f.value), ...(f.ratio !== undefined ? { ratio: r(f.ratio) } : {}) })) } : {}),
  };
}

/** the file is an array, one object per metric; each carries the run it came from (mode, machine, workload) */
export function writeResults(path: string, metrics: Metric[], run: Record<string, unknown>): void {
  const ordered = METRIC_NAMES.map((name) => metrics.find((m) => m.name === name) ?? skipped(name, '', '未运行 (not run)'));
  writeFileSync(path, `${JSON.stringify(ordered.map((m) => ({ ...tidy(m), run })), null, 2)}\n`);
}

const width = (s: string): number => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - width(s)));

const show = (n: number | null, unit = ''): string => {
  if (n === null) return '—';
  const text = Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);
  return unit ? `${text} ${unit}` : text;
};

/** the table printed at the end of a run */
export function formatTable(metrics: Metric[]): string {
  const header = ['指标 metric', '结果 value', '基线 baseline (same run)', '比值 ratio', '目标 target', ''];
  const rows = METRIC_NAMES.map((name) => {
    const m = metrics.find((x) => x.name === name);
    if (!m) return [name, '—', '未运行 not run', '—', '', ''];
    if (m.skipped !== undefined) return [name, '跳过 skipped', m.skipped.length > 60 ? `${m.skipped.slice(0, 57)}…` : m.skipped, '—', m.target ?? '', ''];
    const baseline = m.baseline ? `${show(m.baseline.value, m.baseline.unit ?? m.unit)} ${m.baseline.name}` : '—';
    return [name, show(m.value, m.unit), baseline, m.ratio === null ? '—' : m.ratio.toFixed(3), m.target ?? '', m.met === true ? '✓' : m.met === false ? '✗' : ''];
  });
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i]!)).join('  ').trimEnd();
  const extra = metrics.flatMap((m) =>
    (m.figures ?? []).map((f) => `  ${m.name}: ${f.name} = ${show(f.value, f.unit ?? m.unit)}${f.ratio !== undefined && f.ratio !== null ? `  (ratio ${f.ratio.toFixed(3)}${f.note ? `, ${f.note}` : ''})` : ''}`),
  );
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...(extra.length ? ['', '其他数据 other figures:', ...extra] : [])].join('\n');
}
