import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useQuery } from '../api';
import { download, toCsv, toXlsx } from '../exportFiles';
import { chinaDate, percent, points, previousQuarter, recentQuarters } from '../format';
import { useI18n } from '../i18n';
import { SCORECARD, type Agency, type Scorecard } from '../model';
import { change, exportTable, joinQuarters, METRICS, type Metric, type ScorecardRow } from '../scorecardTable';
import { Badge, ErrorBox, Field, Loaded, Page, useMutation, useSession } from '../ui';
import { KindReport } from './scorecardKinds';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const QUERY = `query($q: String!, $p: String!) { current: scorecard(quarter: $q) { ${SCORECARD} } previous: scorecard(quarter: $p) { ${SCORECARD} } }`;

const KINDS: Agency['kind'][] = ['GOVERNMENT', 'COURT', 'PROCURATORATE', 'POLICE', 'JUSTICE'];

/**
 * 季通报: each 行政机关's four rates this quarter, the change on the previous quarter, charts and exports; for the other
 * kinds of agency, their rows asked one by one (graphql.md: scorecard(quarter, agency) answers any kind by id).
 */
export function ScorecardPage() {
  const { t, code } = useI18n();
  const { viewer } = useSession();
  const quarters = recentQuarters(chinaDate(new Date()), 8);
  // the notice covers the last finished quarter; the running one can be chosen too
  const [quarter, setQuarter] = useState(quarters[1]!);
  // an agency opens on its own kind's rows
  const [kind, setKind] = useState<Agency['kind']>(() => (viewer.roles.some((r) => r === 'organizer' || r === 'auditor') ? 'GOVERNMENT' : viewer.agency.kind));
  return (
    <Page title={kind === 'GOVERNMENT' ? t('scorecardTitle') : `${t('scorecardKindsTitle')}：${code('agencyKind', kind)}`}>
      {/* on paper the title names the quarter (the screen has it in the selector) */}
      <p class="print-only print-title scorecard-print-title">
        {quarter} {t('scorecardTitle')}
      </p>
      <form class="filters card" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('quarter')}>
          <select value={quarter} onChange={(e) => setQuarter(e.currentTarget.value)}>
            {quarters.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('agencyKind')}>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as Agency['kind'])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {code('agencyKind', k)}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {kind === 'GOVERNMENT' ? <GovernmentReport quarter={quarter} /> : <KindReport key={kind} kind={kind} quarter={quarter} />}
    </Page>
  );
}

function GovernmentReport({ quarter }: { quarter: string }) {
  const state = useQuery<{ current: Scorecard[]; previous: Scorecard[] }>(QUERY, { q: quarter, p: previousQuarter(quarter) });
  return <Loaded state={state}>{(data) => <Report rows={joinQuarters(data.current, data.previous)} quarter={quarter} />}</Loaded>;
}

function Report({ rows, quarter }: { rows: ScorecardRow[]; quarter: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const exporting = useMutation();
  const table = () => exportTable(rows, quarter, i18n);
  if (rows.length === 0) return <p class="muted">{t('none')}</p>;
  return (
    <>
      <div class="row no-print">
        <button type="button" onClick={() => download(`scorecard-${quarter}.csv`, toCsv(table().header, table().rows))}>
          {t('exportCsv')}
        </button>
        <button type="button" disabled={exporting.busy} onClick={() => exporting.run(async () => download(`scorecard-${quarter}.xlsx`, await toXlsx(`${t('navScorecard')} ${quarter}`, table().header, table().rows)))}>
          {t('exportXlsx')}
        </button>
        {exporting.error && <ErrorBox error={exporting.error} />}
      </div>
      <div class="charts">
        {METRICS.map((m) => (
          <MetricChart key={m.key} metric={m} rows={rows} quarter={quarter} />
        ))}
      </div>
      <div class="scroll">
        <table class="data scorecard">
          <caption>
            {t('scorecardTitle')} {quarter}（{t('change')}：{t('previousQuarter')} {previousQuarter(quarter)}）
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('agency')}</th>
              {METRICS.map((m) => (
                <th scope="col" key={m.key}>
                  {t(m.key)}
                  <div class="muted small">{t(m.lowerIsBetter ? 'lowerIsBetter' : 'higherIsBetter')}</div>
                </th>
              ))}
              <th scope="col">{t('handoffsReceived')}</th>
              <th scope="col">{t('handoffsCompletedOnTime')}</th>
              <th scope="col">{t('handoffsOverdue')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ current, previous }) => (
              <tr key={current.agency.id}>
                <th scope="row">{current.agency.name}</th>
                {METRICS.map((m) => {
                  const [part, whole] = m.counts(current);
                  return (
                    <td key={m.key}>
                      <span class="rate">{percent(m.rate(current))}</span> <span class="muted small">({part}/{whole})</span>
                      <Change metric={m} delta={previous ? change(m.rate(current), m.rate(previous)) : null} />
                    </td>
                  );
                })}
                <td class="num">{current.handoffsReceived}</td>
                <td class="num">{current.handoffsCompletedOnTime}</td>
                <td class="num">{current.handoffsOverdue > 0 ? <Badge tone="danger">{current.handoffsOverdue}</Badge> : 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The change on the previous quarter in percentage points, said in words as well as colour. */
function Change({ metric, delta }: { metric: Metric; delta: number | null }) {
  const { t } = useI18n();
  if (delta === null) return <div class="change muted small">{t('change')} —</div>;
  const better = delta === 0 ? null : metric.lowerIsBetter ? delta < 0 : delta > 0;
  return (
    <div class={`change small ${better === null ? 'muted' : better ? 'better' : 'worse'}`}>
      {t('change')} {points(delta)} {t('points')} {better === null ? t('same') : better ? `▲ ${t('better')}` : `▼ ${t('worse')}`}
    </div>
  );
}

function MetricChart({ metric, rows, quarter }: { metric: Metric; rows: ScorecardRow[]; quarter: string }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const label = `${t(metric.key)}：${rows.map((r) => `${r.current.agency.name} ${percent(metric.rate(r.current))}`).join('，')}`;
  useEffect(() => {
    const value = (r: Scorecard | undefined) => (r && metric.rate(r) !== null ? Math.round(metric.rate(r)! * 1000) / 10 : null);
    const chart = new Chart(canvas.current!, {
      type: 'bar',
      data: {
        labels: rows.map((r) => shortName(r.current.agency.name)),
        datasets: [
          { label: `${t('previousQuarter')} ${previousQuarter(quarter)}`, data: rows.map((r) => value(r.previous)), backgroundColor: '#9aa5b1' },
          { label: `${t('thisQuarter')} ${quarter}`, data: rows.map((r) => value(r.current)), backgroundColor: '#1f5fa8' },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw === null ? '—' : `${c.raw}%`}` } } },
      },
    });
    return () => chart.destroy();
  }, [rows, quarter, t]);
  return (
    <figure class="chart card">
      <figcaption>
        {t(metric.key)} <span class="muted small">（{t(metric.lowerIsBetter ? 'lowerIsBetter' : 'higherIsBetter')}）</span>
      </figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
    </figure>
  );
}

/** 云岭市市场监督管理局 → 市场监督管理局: the city prefix repeats on every bar */
const shortName = (name: string) => name.replace(/^.{1,4}?市(?=.)/, '');
