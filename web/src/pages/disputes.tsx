import { useConnection } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { ACCOUNTABILITY_REVIEW, AGENCY, DISPUTE, RECTIFICATION, type AccountabilityReview, type Connection, type GovernmentDispute, type Rectification } from '../model';
import { Badge, CaseLink, Due, ErrorBox, Page } from '../ui';

interface DisputeCase {
  id: string;
  title: string;
  caseNumber: string | null;
  status: string;
  major: boolean;
  registeredBy: { name: string };
  registeredAt: string;
  dispute: GovernmentDispute | null;
  accountabilityReviews: AccountabilityReview[];
  rectifications: Rectification[];
}

// the server answers only the disputes the caller may see (graphql.md "Access"): organizers all, an agency its own
const QUERY = `query($first: Int, $after: String) { cases(kind: "government_dispute", first: $first, after: $after) {
  totalCount pageInfo { endCursor hasNextPage }
  nodes { id title caseNumber status major registeredBy { ${AGENCY} } registeredAt dispute { ${DISPUTE} }
    accountabilityReviews { ${ACCOUNTABILITY_REVIEW} } rectifications { ${RECTIFICATION} } } } }`;

const LOST = new Set(['lost', 'partially_lost']);
const yuan = (n: number | null | undefined, lang: string) => (n === null || n === undefined ? '—' : `${n.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}`);

/** 法律纠纷台账: 备案 timeliness, 会商研判, outcome and loss, 责任倒查, 以案促管整改 with their clocks. */
export function DisputesPage() {
  const { t, lang } = useI18n();
  const list = useConnection<DisputeCase>(QUERY, {}, (d: { cases: Connection<DisputeCase> }) => d.cases);
  const rows = list.nodes.filter((c) => c.dispute !== null);
  const rectifications = rows.flatMap((c) => c.rectifications);
  const lost = rows.filter((c) => LOST.has(c.dispute!.outcome ?? ''));
  const counts: [string, number | string, boolean][] = [
    [t('disputesRegistered'), rows.length, false],
    [t('disputesRegisteredLate'), rows.filter((c) => c.dispute!.filedLate).length, true],
    [t('disputesLost'), lost.length, true],
    [t('disputeLossAmount'), yuan(lost.reduce((n, c) => n + (c.dispute!.lossAmount ?? 0), 0), lang), false],
    [t('rectificationsOpen'), rectifications.filter((r) => !r.completedAt).length, false],
    [t('rectificationsOverdue'), rectifications.filter((r) => r.overdue).length, true],
  ];
  return (
    <Page title={t('disputesTitle')}>
      <p class="muted">{t('disputesIntro')}</p>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && list.nodes.length === 0 ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <>
          <dl class="counts card" aria-label={t('disputesTitle')}>
            {counts.map(([label, n, alarm]) => (
              <div key={label} data-count={label}>
                <dt>{label}</dt>
                <dd>{alarm && typeof n === 'number' && n > 0 ? <Badge tone="danger">{n}</Badge> : n}</dd>
              </div>
            ))}
          </dl>
          {rows.length === 0 ? <p class="muted">{t('none')}</p> : <Ledger rows={rows} />}
          {list.hasNextPage && (
            <button type="button" onClick={list.loadMore} disabled={list.loading}>
              {t('loadMore')}
            </button>
          )}
        </>
      )}
    </Page>
  );
}

function Ledger({ rows }: { rows: DisputeCase[] }) {
  const { t, lang, code } = useI18n();
  return (
    <div class="scroll">
      <table class="data disputes">
        <caption class="sr-only">{t('disputesTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('case')}</th>
            <th scope="col">{t('responsibleAgency')}</th>
            <th scope="col">{t('filing')}</th>
            <th scope="col">{t('consultations')}</th>
            <th scope="col">{t('outcome')}</th>
            <th scope="col">{t('accountability')}</th>
            <th scope="col">{t('rectifications')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const d = c.dispute!;
            return (
              <tr key={c.id} data-case={c.id}>
                <td>
                  <CaseLink id={c.id} title={c.title} />
                  {c.major && <Badge tone="info">{code('reason', 'major_dispute')}</Badge>}
                  <div class="muted small">{c.caseNumber}</div>
                  <div class="muted small">
                    {t('amount')}：{yuan(d.amount, lang)} {d.amount !== null && t('yuan')}
                  </div>
                </td>
                <td>
                  {d.responsibleAgency.name}
                  {d.handlingUnit && (
                    <div class="muted small">
                      {t('handlingUnit')}：{d.handlingUnit}
                    </div>
                  )}
                </td>
                <td>
                  <div class="small">
                    {t('arisenAt')}：{d.arisenAt ?? '—'}
                  </div>
                  <div class="small">
                    {t('filingDue')}：{d.filingDueDate ?? '—'}
                  </div>
                  <div class="small">
                    {t('filedAt')}：{dateTime(c.registeredAt, lang)}
                  </div>
                  {d.filedLate === null ? null : d.filedLate ? <Badge tone="danger">{t('filedLate')}</Badge> : <Badge tone="ok">{t('filedOnTime')}</Badge>}
                </td>
                <td>
                  {d.consultations.length === 0 ? (
                    <span class="muted">{t('none')}</span>
                  ) : (
                    <ol class="plain">
                      {d.consultations.map((m) => (
                        <li key={m.consultedAt}>
                          <time dateTime={m.consultedAt}>{dateTime(m.consultedAt, lang)}</time> {m.consultedBy.name}：{m.opinion}
                          <div class="muted small">{m.participants.map((p) => p.name).join('、')}</div>
                        </li>
                      ))}
                    </ol>
                  )}
                </td>
                <td>
                  {d.outcome ? (
                    <>
                      {LOST.has(d.outcome) ? <Badge tone="danger">{code('disputeOutcome', d.outcome)}</Badge> : <Badge tone="ok">{code('disputeOutcome', d.outcome)}</Badge>}
                      {d.lossAmount !== null && (
                        <div class="small">
                          {t('lossAmount')}：{yuan(d.lossAmount, lang)} {t('yuan')}
                        </div>
                      )}
                      {d.concludedAt && <div class="muted small">{dateTime(d.concludedAt, lang)}</div>}
                    </>
                  ) : (
                    <Badge tone="muted">{t('pending')}</Badge>
                  )}
                </td>
                <td>
                  {c.accountabilityReviews.length === 0 ? (
                    <span class="muted">—</span>
                  ) : (
                    c.accountabilityReviews.map((r) => (
                      <div key={r.reviewedAt} class="small">
                        <Badge tone={r.finding === 'fault_found' ? 'danger' : 'ok'}>{code('accountabilityFinding', r.finding)}</Badge> {r.agency.name}
                        {r.measures && <div>{r.measures}</div>}
                        <div class="muted">
                          {r.reviewedBy.name} {dateTime(r.reviewedAt, lang)}
                        </div>
                      </div>
                    ))
                  )}
                </td>
                <td>
                  {c.rectifications.length === 0 ? (
                    <span class="muted">—</span>
                  ) : (
                    c.rectifications.map((r) => (
                      <div key={r.id} class="small" data-rectification={r.id}>
                        {r.to.name}：{r.summary}
                        <div>
                          {t('dueDate')} <Due date={r.dueDate} overdue={r.overdue} done={!!r.completedAt} />{' '}
                          {r.completedAt ? (
                            <Badge tone="ok">
                              {t('completed')} {dateTime(r.completedAt, lang)}
                            </Badge>
                          ) : (
                            <Badge tone="muted">{t('open')}</Badge>
                          )}
                        </div>
                        {r.completionSummary && <div class="muted">{r.completionSummary}</div>}
                      </div>
                    ))
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
