import { useState } from 'preact/hooks';
import { useConnection } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { AGENCY, type Agency } from '../model';
import { Badge, ErrorBox, Field, Page } from '../ui';

interface AccessLogEntry {
  id: string;
  at: string;
  principal: string | null;
  roles: string[];
  agency: Agency | null;
  operationType: string | null;
  operationName: string | null;
  fields: string[];
  outcome: string;
  errorCodes: string[];
  client: string | null;
  durationMs: number | null;
}

const ACCESS_LOG = `query($principal: String, $first: Int, $after: String) {
  accessLog(principal: $principal, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { id at principal roles agency { ${AGENCY} } operationType operationName fields outcome errorCodes client durationMs }
  }
}`;

/** 访问日志: who asked the platform what, newest first (docs/audit.md) — for auditors, filtered by principal. */
export function AccessLogPage() {
  const { t, code, lang } = useI18n();
  const [typed, setTyped] = useState('');
  const [principal, setPrincipal] = useState('');
  const log = useConnection<AccessLogEntry>(ACCESS_LOG, { principal: principal || null }, (d: { accessLog: never }) => d.accessLog, 50);
  return (
    <Page title={t('accessLogTitle')}>
      <p class="muted">{t('accessLogIntro')}</p>
      <form
        class="filters card"
        aria-label={t('filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setPrincipal(typed.trim());
        }}
      >
        <Field label={t('principal')}>
          <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} placeholder="court-system" />
        </Field>
        <button type="submit">{t('applyFilter')}</button>
      </form>
      {log.error && <ErrorBox error={log.error} retry={log.reload} />}
      <p role="status">
        <Badge tone="info">{`${t('of')} ${log.totalCount}`}</Badge>
      </p>
      <table class="data access-log">
        <thead>
          <tr>
            <th scope="col">{t('accessAt')}</th>
            <th scope="col">{t('principal')}</th>
            <th scope="col">{t('agency')}</th>
            <th scope="col">{t('operation')}</th>
            <th scope="col">{t('fieldsAsked')}</th>
            <th scope="col">{t('outcome')}</th>
            <th scope="col">{t('client')}</th>
            <th scope="col" class="num">
              {t('durationMs')}
            </th>
          </tr>
        </thead>
        <tbody>
          {log.nodes.map((e) => (
            <tr key={e.id} class={e.outcome === 'ok' ? undefined : 'row-overdue'}>
              <td class="nowrap">{dateTime(e.at, lang, true)}</td>
              <td>
                {e.principal ?? <span class="muted">{t('noToken')}</span>}
                {e.roles.length > 0 && <span class="muted">（{e.roles.map((r) => code('role', r)).join('、')}）</span>}
              </td>
              <td>{e.agency?.name ?? '—'}</td>
              <td>
                {code('operationType', e.operationType) || '—'}
                {e.operationName && <code> {e.operationName}</code>}
              </td>
              <td>
                <code class="fields">{e.fields.join(', ')}</code>
              </td>
              <td>
                <Badge tone={e.outcome === 'ok' ? 'ok' : 'danger'}>{code('accessOutcome', e.outcome)}</Badge>
                {e.errorCodes.length > 0 && <span class="muted"> {e.errorCodes.join(', ')}</span>}
              </td>
              <td>{e.client ?? '—'}</td>
              <td class="num">{e.durationMs === null ? '—' : e.durationMs.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        {t('shown')} {log.nodes.length} / {log.totalCount}
        {log.hasNextPage && (
          <button type="button" class="link" onClick={log.loadMore} disabled={log.loading}>
            {t('loadMore')}
          </button>
        )}
      </p>
    </Page>
  );
}
