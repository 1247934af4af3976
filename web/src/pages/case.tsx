import { useQuery } from '../api';
import { CASE_CHANGED, useLive } from '../live';
import { dateTime } from '../format';
import { useI18n, type I18n } from '../i18n';
import { CASE_DETAIL, isAuditor, type Agency, type CaseDetail, type Deadline } from '../model';
import { href } from '../router';
import { Badge, Due, Loaded, Page, Timeline, useSession } from '../ui';

/** A case: its facts, statutory deadlines, handoffs with the documents handed over, and its timeline. */
export function CasePage(props: { id: string }) {
  const { t } = useI18n();
  const state = useQuery<{ case: CaseDetail | null }>(`query($id: ID!) { case(id: $id) { ${CASE_DETAIL} } }`, { id: props.id });
  useLive(CASE_CHANGED, { id: props.id }, state.reload); // live (issue 17): a new event of the case shows without reload
  return (
    <Loaded state={state}>
      {(data) =>
        data.case ? (
          <CaseView file={data.case} />
        ) : (
          <Page title={t('case')}>
            <p>{t('notFound')}</p>
            <a href={href.cases()}>{t('back')}</a>
          </Page>
        )
      }
    </Loaded>
  );
}

export function CaseFacts({ file }: { file: CaseDetail }) {
  const { t, code, lang, dict } = useI18n();
  return (
    <dl class="facts">
      <dt>{t('caseNumber')}</dt>
      <dd>{file.caseNumber ?? file.id}</dd>
      <dt>{t('kind')}</dt>
      <dd>{code('kind', file.kind)}</dd>
      <dt>{t('status')}</dt>
      <dd>
        {dict.caseStatus[file.status] ?? file.status} {file.major && <Badge tone="danger">{t('major')}</Badge>} {file.privateEnterprise && <Badge tone="info">{t('privateEnterprise')}</Badge>}
      </dd>
      <dt>{t('registeredBy')}</dt>
      <dd>
        {file.registeredBy.name}，{dateTime(file.registeredAt, lang)}
      </dd>
      {file.defendantAgency && (
        <>
          <dt>{t('defendant')}</dt>
          <dd>{file.defendantAgency.name}</dd>
        </>
      )}
      {file.judgmentOutcome && (
        <>
          <dt>{t('judgment')}</dt>
          <dd>{code('outcome', file.judgmentOutcome)}</dd>
        </>
      )}
      {file.reconsiderationDecision && (
        <>
          <dt>{t('reconsideration')}</dt>
          <dd>{code('decision', file.reconsiderationDecision)}</dd>
        </>
      )}
      <dt>{t('agencies')}</dt>
      <dd>{file.agencies.map((a) => a.name).join('、')}</dd>
    </dl>
  );
}

function CaseView({ file }: { file: CaseDetail }) {
  const i18n = useI18n();
  const { t, code, lang } = i18n;
  const { viewer, agencies } = useSession();
  return (
    <Page title={file.title} actions={isAuditor(viewer) ? <a href={href.audit(`case-${file.id}`)}>{t('history')}</a> : undefined}>
      <CaseFacts file={file} />
      <section aria-labelledby="deadlines-title">
        <h2 id="deadlines-title">{t('deadlines')}</h2>
        {file.deadlines.length === 0 && file.handoffs.some((h) => h.dueDate) ? (
          // the case's own clocks are none, but its handoffs run theirs: say where they are rather than "none"
          <p class="muted">{t('deadlinesInHandoffs')}</p>
        ) : (
          <DeadlineTable deadlines={file.deadlines} agencies={agencies} />
        )}
      </section>
      <section aria-labelledby="handoffs-title">
        <h2 id="handoffs-title">{t('handoffs')}</h2>
        {file.handoffs.length === 0 ? (
          <p class="muted">{t('none')}</p>
        ) : (
          <table class="data">
            <thead>
              <tr>
                <th scope="col">{t('purpose')}</th>
                <th scope="col">{t('from')}</th>
                <th scope="col">{t('to')}</th>
                <th scope="col">{t('requestedAt')}</th>
                <th scope="col">{t('dueDate')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {file.handoffs.map((h) => (
                <tr key={h.id} class={h.overdue ? 'row-overdue' : undefined}>
                  <td>{code('purpose', h.purpose)}</td>
                  <td>{h.from.name}</td>
                  <td>{h.to.name}</td>
                  <td class="nowrap">{dateTime(h.requestedAt, lang)}</td>
                  <td>
                    <Due date={h.dueDate} overdue={h.overdue} provisional={h.dueDateProvisional} purpose={h.purpose} />
                  </td>
                  <td>
                    {code('handoffStatus', h.status)}
                    {h.outcome && `（${code('outcome', h.outcome)}）`}
                    {h.returnReason && <div class="muted small">{h.returnReason}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Documents caseId={file.id} />
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t('timeline')}</h2>
        <Timeline entries={file.timeline} label={t('timeline')} />
      </section>
    </Page>
  );
}

export function DeadlineTable({ deadlines, agencies }: { deadlines: Deadline[]; agencies: Agency[] }) {
  const i18n = useI18n();
  const { t, lang } = i18n;
  if (deadlines.length === 0) return <p class="muted">{t('none')}</p>;
  return (
    <table class="data">
      <thead>
        <tr>
          <th scope="col">{t('deadlines')}</th>
          <th scope="col">{t('dueDate')}</th>
          <th scope="col">{t('status')}</th>
        </tr>
      </thead>
      <tbody>
        {deadlines.map((d) => (
          <tr key={d.name} class={d.overdue && !d.metAt ? 'row-overdue' : undefined}>
            <td>{deadlineName(d.name, i18n, agencies)}</td>
            <td>
              <Due date={d.dueDate} overdue={d.overdue} provisional={d.dueDateProvisional} done={!!d.metAt} />
            </td>
            <td>{d.metAt ? <Badge tone="ok">{`${t('metAt')} ${dateTime(d.metAt, lang)}`}</Badge> : d.suspended ? <Badge tone="muted">{t('suspended')}</Badge> : <Badge tone={d.overdue ? 'danger' : 'muted'}>{t(d.overdue ? 'overdue' : 'open')}</Badge>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** suggestion_reply:<id>, notice_ack:<noticeId>:<agencyId> (graphql.md Case.deadlines) */
function deadlineName(name: string, { code }: I18n, agencies: Agency[]): string {
  const [clock = '', ...rest] = name.split(':');
  const label = code('deadline', clock);
  if (clock === 'notice_ack') return `${label}（${agencies.find((a) => a.id === rest[rest.length - 1])?.name ?? rest[rest.length - 1]}）`;
  return rest.length > 0 ? `${label}（${rest.join(':')}）` : label;
}

/**
 * The documents listed in each handoff request. They are asked for in a query of their own: a gateway
 * that does not yet offer `Handoff.documents` answers with a validation error, and the rest of the page
 * must not suffer for it.
 */
function Documents({ caseId }: { caseId: string }) {
  const { t, code } = useI18n();
  const state = useQuery<{ case: { handoffs: { id: string; purpose: string; from: Agency; documents: { title: string; sha256: string | null }[] }[] } | null }>(
    `query($id: ID!) { case(id: $id) { handoffs { id purpose from { id name } documents { title sha256 } } } }`,
    { id: caseId },
  );
  const handoffs = state.data?.case?.handoffs.filter((h) => h.documents.length > 0) ?? [];
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t('documents')}</h2>
      {state.error ? (
        <p class="muted">{t('documentsUnavailable')}</p>
      ) : !state.data ? (
        <p role="status">{t('loading')}</p>
      ) : handoffs.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <ul class="documents">
          {handoffs.map((h) => (
            <li key={h.id}>
              <strong>
                {code('purpose', h.purpose)} · {h.from.name}
              </strong>
              <ul>
                {h.documents.map((d, i) => (
                  <li key={i}>
                    {d.title}
                    {d.sha256 && <code class="hash" title="SHA-256">{d.sha256.slice(0, 12)}…</code>}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
