import { useEffect, useState } from 'preact/hooks';
import { gql, type GraphqlError } from '../api';
import { asPercent, SeriesChart } from '../charts';
import { percent } from '../format';
import { useI18n, type Key } from '../i18n';
import { SCORECARD, type Agency, type Scorecard } from '../model';
import { Badge, ErrorBox, useSession } from '../ui';

/** a column of a kind's table: a count, a rate (fraction) or a value with its unit */
interface Column {
  key: Key;
  value(row: Scorecard): number | null;
  rate?: true;
  /** a count that is bad news when above zero */
  alarm?: true;
}

const onTime = (r: Scorecard): number | null => (r.handoffsReceived === 0 ? null : r.handoffsCompletedOnTime / r.handoffsReceived);
const HANDOFFS: Column[] = [
  { key: 'handoffsReceived', value: (r) => r.handoffsReceived },
  { key: 'handoffsCompletedOnTime', value: (r) => r.handoffsCompletedOnTime },
  { key: 'handoffOnTimeRate', value: onTime, rate: true },
  { key: 'handoffsOverdue', value: (r) => r.handoffsOverdue, alarm: true },
];
/** what each kind answers for (graphql.md AgencyScorecard: the other columns are 0 or null for it) */
const COLUMNS: Record<Exclude<Agency['kind'], 'GOVERNMENT'>, Column[]> = {
  COURT: [
    { key: 'preLitigationMediations', value: (r) => r.preLitigationMediations },
    { key: 'mediationsSucceeded', value: (r) => r.mediationsSucceeded },
    { key: 'mediationSuccessRate', value: (r) => r.mediationSuccessRate, rate: true },
    { key: 'diversionRate', value: (r) => r.diversionRate, rate: true },
    { key: 'filingsPer10k', value: (r) => (r.filingsPer10k === null ? null : Math.round(r.filingsPer10k * 100) / 100) },
    ...HANDOFFS,
  ],
  JUSTICE: [
    { key: 'correctionsUnreported', value: (r) => r.correctionsUnreported, alarm: true },
    { key: 'correctionsAbsconded', value: (r) => r.correctionsAbsconded, alarm: true },
    ...HANDOFFS,
  ],
  PROCURATORATE: HANDOFFS,
  POLICE: HANDOFFS,
};

/** graphql.md Guards: at most 30 aliases a request */
const PER_REQUEST = 30;
const rowsQuery = (ids: string[]) => `query($q: String!) { ${ids.map((id, i) => `a${i}: scorecard(quarter: $q, agency: ${JSON.stringify(id)}) { ${SCORECARD} }`).join(' ')} }`;

/** Each agency's row of this kind, asked by id; rows the caller may not see come back empty and are left out. */
function useKindRows(agencies: Agency[], quarter: string): { rows: Scorecard[] | null; error: GraphqlError | null } {
  const ids = agencies.map((a) => a.id);
  const key = `${quarter}|${ids.join(',')}`;
  // the answer with what it answers: a render after the kind or quarter changed must not show the last one's rows
  const [state, setState] = useState<{ key: string; rows: Scorecard[] | null; error: GraphqlError | null }>({ key: '', rows: null, error: null });
  useEffect(() => {
    let current = true;
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += PER_REQUEST) chunks.push(ids.slice(i, i + PER_REQUEST));
    Promise.all(chunks.map((chunk) => gql<Record<string, Scorecard[]>>(rowsQuery(chunk), { q: quarter }).then((d) => chunk.flatMap((_, i) => d[`a${i}`] ?? [])))).then(
      (parts) => current && setState({ key, rows: parts.flat(), error: null }),
      (error: GraphqlError) => current && setState({ key, rows: null, error }),
    );
    return () => void (current = false);
  }, [key]);
  return state.key === key ? state : { rows: null, error: null };
}

export function KindReport({ kind, quarter }: { kind: Exclude<Agency['kind'], 'GOVERNMENT'>; quarter: string }) {
  const { t } = useI18n();
  const { agencies } = useSession();
  const { rows, error } = useKindRows(
    agencies.filter((a) => a.kind === kind),
    quarter,
  );
  if (error) return <ErrorBox error={error} />;
  if (!rows) return <p role="status">{t('loading')}</p>;
  if (rows.length === 0) return <p class="muted">{t('none')}</p>;
  const columns = COLUMNS[kind];
  const charted = columns.filter((c) => c.rate);
  return (
    <>
      <div class="charts">
        {charted.map((c) => (
          <SeriesChart
            key={c.key}
            title={t(c.key)}
            labels={rows.map((r) => shortName(r.agency.name))}
            unit="%"
            summary={`${t(c.key)}：${rows.map((r) => `${r.agency.name} ${percent(c.value(r))}`).join('，')}`}
            series={[{ label: `${t('thisQuarter')} ${quarter}`, data: rows.map((r) => asPercent(c.value(r))), color: '#1f5fa8' }]}
          />
        ))}
      </div>
      <div class="scroll">
        <table class="data scorecard" data-kind={kind}>
          <caption>
            {t('scorecardKindsTitle')} {quarter}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('agency')}</th>
              {columns.map((c) => (
                <th scope="col" key={c.key}>
                  {t(c.key)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.agency.id} data-agency={r.agency.id}>
                <th scope="row">{r.agency.name}</th>
                {columns.map((c) => {
                  const v = c.value(r);
                  return (
                    <td class="num" key={c.key}>
                      {c.rate ? percent(v) : v === null ? '—' : c.alarm && v > 0 ? <Badge tone="danger">{v}</Badge> : v}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** 云岭市青山区人民法院 → 青山区人民法院: the city prefix repeats on every bar */
const shortName = (name: string) => name.replace(/^.{1,4}?市(?=.)/, '');
