import { useState } from 'preact/hooks';
import { useQuery } from '../api';
import { asPercent, SeriesChart } from '../charts';
import { chinaDate, dateTime, percent, recentQuarters } from '../format';
import { useI18n } from '../i18n';
import type { Agency } from '../model';
import { Badge, CaseLink, Field, Loaded, Page, useSession } from '../ui';

interface Row {
  quarter: string;
  preLitigationMediations: number | null;
  mediationsSucceeded: number | null;
  mediationSuccessRate: number | null;
  diversionRate: number | null;
  filingsPer10k: number | null;
}
interface Referral {
  id: string;
  caseId: string;
  case: { title: string } | null;
  from: Agency & { level: string };
  to: { name: string };
  purpose: string;
  status: string;
  requestedAt: string;
  outcome: string | null;
}

const QUARTERS = 4;
const COLUMNS = 'quarter preLitigationMediations mediationsSucceeded mediationSuccessRate diversionRate filingsPer10k';
/** one scorecard row per quarter, oldest first (aliases: graphql.md allows 30) */
const rowsQuery = (quarters: string[]) => `query($a: ID!) { ${quarters.map((q, i) => `q${i}: scorecard(quarter: "${q}", agency: $a) { ${COLUMNS} }`).join(' ')} }`;
const REFERRAL = 'id caseId case { title } from { id kind name level } to { name } purpose status requestedAt outcome';
// 两所一庭: what the township units passed on — to the 司法所 (dispute_referral) or, from a 人民法庭, entrusted mediation
const REFERRALS = `{ referrals: handoffs(purpose: "dispute_referral", first: 500) { nodes { ${REFERRAL} } }
  entrusted: handoffs(purpose: "entrusted_mediation", first: 500) { nodes { ${REFERRAL} } } }`;
const AGENCIES = '{ agencies { id kind name level } }';

/** 诉源治理: referrals from the townships' 两所一庭, mediation outcomes, 诉前分流率 and 万人起诉率 by quarter. */
export function LitigationSourcePage() {
  const { t } = useI18n();
  const agencies = useQuery<{ agencies: (Agency & { level: string })[] }>(AGENCIES);
  return (
    <Page title={t('litigationSourceTitle')}>
      <p class="muted">{t('litigationSourceIntro')}</p>
      <Loaded state={agencies}>{(d) => <CourtQuarters courts={d.agencies.filter((a) => a.kind === 'COURT' && a.level !== 'township')} />}</Loaded>
      <Referrals />
    </Page>
  );
}

function CourtQuarters({ courts }: { courts: Agency[] }) {
  const { t } = useI18n();
  const { viewer } = useSession();
  // a court opens on its own figures; others on the first basic-level court (the 中级人民法院 has no such first instance)
  const initial = courts.find((c) => c.id === viewer.agency.id) ?? courts.find((c) => (c as { level?: string }).level === 'district') ?? courts[0];
  const [court, setCourt] = useState(initial?.id ?? '');
  if (!court) return <p class="muted">{t('none')}</p>;
  return (
    <section aria-labelledby="by-quarter">
      <h2 id="by-quarter">{t('byQuarter')}</h2>
      <form class="filters card" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('court')}>
          <select value={court} onChange={(e) => setCourt(e.currentTarget.value)}>
            {courts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {/* keyed by court: another court's figures are never shown while this one's load */}
      <CourtRows key={court} court={court} />
    </section>
  );
}

function CourtRows({ court }: { court: string }) {
  const { t } = useI18n();
  const quarters = recentQuarters(chinaDate(new Date()), QUARTERS).reverse();
  const state = useQuery<Record<string, Row[]>>(rowsQuery(quarters), { a: court });
  return (
    <Loaded state={state}>
      {(data) => {
        const rows = quarters.map((_, i) => data[`q${i}`]?.[0]).filter((r): r is Row => r !== undefined);
        return rows.length === 0 ? <p class="muted">{t('none')}</p> : <QuarterReport rows={rows} />;
      }}
    </Loaded>
  );
}

function QuarterReport({ rows }: { rows: Row[] }) {
  const { t } = useI18n();
  const labels = rows.map((r) => r.quarter);
  const said = (values: (string | number | null)[]) => rows.map((r, i) => `${r.quarter} ${values[i] ?? '—'}`).join('，');
  return (
    <>
      <div class="charts">
        <SeriesChart
          title={`${t('preLitigationMediations')} / ${t('mediationSuccessRate')}`}
          labels={labels}
          lineUnit="%"
          summary={`${t('preLitigationMediations')}：${said(rows.map((r) => r.preLitigationMediations))}；${t('mediationSuccessRate')}：${said(rows.map((r) => percent(r.mediationSuccessRate)))}`}
          series={[
            { label: t('preLitigationMediations'), data: rows.map((r) => r.preLitigationMediations), color: '#9aa5b1' },
            { label: t('mediationsSucceeded'), data: rows.map((r) => r.mediationsSucceeded), color: '#1f5fa8' },
            { label: t('mediationSuccessRate'), data: rows.map((r) => asPercent(r.mediationSuccessRate)), color: '#c0392b', line: true },
          ]}
        />
        <SeriesChart
          title={`${t('diversionRate')} / ${t('filingsPer10k')}`}
          labels={labels}
          unit="%"
          lineUnit=""
          summary={`${t('diversionRate')}：${said(rows.map((r) => percent(r.diversionRate)))}；${t('filingsPer10k')}：${said(rows.map((r) => (r.filingsPer10k === null ? null : r.filingsPer10k.toFixed(2))))}`}
          series={[
            { label: t('diversionRate'), data: rows.map((r) => asPercent(r.diversionRate)), color: '#1f5fa8' },
            { label: `${t('filingsPer10k')}（${t('perTenThousand')}）`, data: rows.map((r) => (r.filingsPer10k === null ? null : Math.round(r.filingsPer10k * 100) / 100)), color: '#c0392b', line: true },
          ]}
        />
      </div>
      <table class="data quarters">
        <caption class="sr-only">{t('byQuarter')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('quarter')}</th>
            <th scope="col">{t('preLitigationMediations')}</th>
            <th scope="col">{t('mediationsSucceeded')}</th>
            <th scope="col">{t('mediationSuccessRate')}</th>
            <th scope="col">{t('diversionRate')}</th>
            <th scope="col">{t('filingsPer10k')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.quarter} data-quarter={r.quarter}>
              <th scope="row">{r.quarter}</th>
              <td class="num">{r.preLitigationMediations ?? '—'}</td>
              <td class="num">{r.mediationsSucceeded ?? '—'}</td>
              <td class="num">{percent(r.mediationSuccessRate)}</td>
              <td class="num">{percent(r.diversionRate)}</td>
              <td class="num">{r.filingsPer10k === null ? '—' : r.filingsPer10k.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

const OUTCOMES = ['mediated', 'failed', 'referred_to_litigation'] as const;

function Referrals() {
  const { t, code, lang } = useI18n();
  const state = useQuery<{ referrals: { nodes: Referral[] }; entrusted: { nodes: Referral[] } }>(REFERRALS);
  return (
    <section aria-labelledby="referrals">
      <h2 id="referrals">{t('referralsFromTownships')}</h2>
      <Loaded state={state}>
        {(d) => {
          const all = [...d.referrals.nodes, ...d.entrusted.nodes].filter((h) => h.from.level === 'township').sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt));
          if (all.length === 0) return <p class="muted">{t('none')}</p>;
          const units = [...new Map(all.map((h) => [h.from.id, h.from])).values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
          const count = (unit: string, outcome: string | null) => all.filter((h) => h.from.id === unit && (outcome === null ? h.status !== 'COMPLETED' && h.status !== 'WITHDRAWN' : h.outcome === outcome)).length;
          return (
            <>
              <table class="data referral-units">
                <caption class="sr-only">{t('referralsFromTownships')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('referralUnit')}</th>
                    <th scope="col">{t('referralsTotal')}</th>
                    <th scope="col">{t('mediatedCount')}</th>
                    <th scope="col">{t('failedCount')}</th>
                    <th scope="col">{t('litigationCount')}</th>
                    <th scope="col">{t('openCount')}</th>
                  </tr>
                </thead>
                <tbody>
                  {units.map((u) => (
                    <tr key={u.id} data-unit={u.id}>
                      <th scope="row">{u.name}</th>
                      <td class="num">{all.filter((h) => h.from.id === u.id).length}</td>
                      {OUTCOMES.map((o) => (
                        <td class="num" key={o}>
                          {count(u.id, o)}
                        </td>
                      ))}
                      <td class="num">{count(u.id, null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h3>{t('recentReferrals')}</h3>
              <table class="data referrals">
                <caption class="sr-only">{t('recentReferrals')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('requestedAt')}</th>
                    <th scope="col">{t('case')}</th>
                    <th scope="col">{t('from')}</th>
                    <th scope="col">{t('to')}</th>
                    <th scope="col">{t('purpose')}</th>
                    <th scope="col">{t('outcome')}</th>
                  </tr>
                </thead>
                <tbody>
                  {all.slice(0, 20).map((h) => (
                    <tr key={h.id}>
                      <td>{dateTime(h.requestedAt, lang)}</td>
                      <td>
                        <CaseLink id={h.caseId} title={h.case?.title} />
                      </td>
                      <td>{h.from.name}</td>
                      <td>{h.to.name}</td>
                      <td>{code('purpose', h.purpose)}</td>
                      <td>{h.outcome ? <Badge tone={h.outcome === 'mediated' ? 'ok' : 'muted'}>{code('outcome', h.outcome)}</Badge> : <Badge tone="info">{code('handoffStatus', h.status)}</Badge>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
