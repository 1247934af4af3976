import { useQuery } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { AGENCY, type Agency } from '../model';
import { Badge, CaseLink, Loaded, Page } from '../ui';

type Status = 'ABSCONDED' | 'UNREPORTED' | 'AWAITING_REPORT' | 'SUPERVISED';
interface CommunityCorrection {
  status: Status;
  case: { id: string; title: string; caseNumber: string | null };
  agency: Agency;
  effectiveDate: string | null;
  deliveredAt: string | null;
  reportDueDate: string | null;
  reportedAt: string | null;
  abscondedAt: string | null;
}

// ordered by the server: 脱管, then 报到逾期 (漏管风险), then awaiting the report, then under supervision
const QUERY = `{ communityCorrections { status case { id title caseNumber } agency { ${AGENCY} } effectiveDate deliveredAt reportDueDate reportedAt abscondedAt } }`;
const STATUSES: Status[] = ['ABSCONDED', 'UNREPORTED', 'AWAITING_REPORT', 'SUPERVISED'];
const ALARM = new Set<Status>(['ABSCONDED', 'UNREPORTED']);

/** 社区矫正 monitoring for the justice bureau: no 脱管, no 漏管. */
export function CorrectionPage() {
  const { t, code, lang } = useI18n();
  const state = useQuery<{ communityCorrections: CommunityCorrection[] }>(QUERY);
  return (
    <Page title={t('correctionTitle')}>
      <p class="muted">{t('correctionIntro')}</p>
      <Loaded state={state}>
        {({ communityCorrections: rows }) => (
          <>
            <dl class="counts card" aria-label={t('correctionCounts')}>
              {STATUSES.map((s) => {
                const n = rows.filter((r) => r.status === s).length;
                return (
                  <div key={s} data-status={s}>
                    <dt>{code('correctionStatus', s)}</dt>
                    <dd>{ALARM.has(s) && n > 0 ? <Badge tone="danger">{n}</Badge> : n}</dd>
                  </div>
                );
              })}
            </dl>
            {rows.length === 0 ? (
              <p class="muted">{t('none')}</p>
            ) : (
              <div class="scroll">
                <table class="data corrections">
                  <caption class="sr-only">{t('correctionTitle')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('status')}</th>
                      <th scope="col">{t('case')}</th>
                      <th scope="col">{t('supervisingAgency')}</th>
                      <th scope="col">{t('effectiveDate')}</th>
                      <th scope="col">{t('deliveredAt')}</th>
                      <th scope="col">{t('reportDue')}</th>
                      <th scope="col">{t('reportedAt')}</th>
                      <th scope="col">{t('abscondedAt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.case.id} data-case={r.case.id} data-status={r.status} class={ALARM.has(r.status) ? 'alarm' : undefined}>
                        <td>
                          <Badge tone={ALARM.has(r.status) ? 'danger' : r.status === 'SUPERVISED' ? 'ok' : 'info'}>{code('correctionStatus', r.status)}</Badge>
                        </td>
                        <td>
                          <CaseLink id={r.case.id} title={r.case.title} />
                          <div class="muted small">{r.case.caseNumber}</div>
                        </td>
                        <td>{r.agency.name}</td>
                        <td>{r.effectiveDate ?? '—'}</td>
                        <td>{r.deliveredAt ? dateTime(r.deliveredAt, lang) : '—'}</td>
                        <td>{r.reportDueDate ?? '—'}</td>
                        <td>{r.reportedAt ? dateTime(r.reportedAt, lang) : '—'}</td>
                        <td>{r.abscondedAt ? dateTime(r.abscondedAt, lang) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}
