import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { gql, type GraphqlError, type QueryState } from './api';
import { dateTime } from './format';
import { useI18n } from './i18n';
import { ACTION_ITEM, CASE_HANDLING_PERIODS, type ActionItem, type Agency, type TimelineEntry, type Viewer } from './model';
import { href } from './router';

/** Who is signed in and the city's agencies, loaded once at sign-in. */
export interface SessionInfo {
  viewer: Viewer;
  agencies: Agency[];
}
export const SessionContext = createContext<SessionInfo>(null as unknown as SessionInfo);
export const useSession = () => useContext(SessionContext);

/** A page: its heading takes the focus when the page opens, so screen readers announce it. */
export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [props.title]);
  return (
    <>
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {props.title}
        </h1>
        {props.actions && <div class="page-actions no-print">{props.actions}</div>}
      </div>
      {props.children}
    </>
  );
}

/** Loading, error or the content of a query. */
export function Loaded<T>(props: { state: QueryState<T>; children: (data: T) => ComponentChildren }) {
  const { t } = useI18n();
  if (props.state.error) return <ErrorBox error={props.state.error} retry={props.state.reload} />;
  if (!props.state.data) return <p role="status">{t('loading')}</p>;
  return <>{props.children(props.state.data)}</>;
}

export function ErrorBox(props: { error: GraphqlError | Error; retry?: () => void }) {
  const { t } = useI18n();
  return (
    <div class="error" role="alert">
      <strong>{t('error')}：</strong>
      {props.error.message}
      {props.retry && (
        <button type="button" class="link" onClick={props.retry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

/** A mutation's busy flag, error and success note; `run` resolves to the result or null when it failed. */
export function useMutation() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async <T,>(action: () => Promise<T>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e as Error);
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

export const Badge = (props: { tone: 'danger' | 'ok' | 'muted' | 'info'; children: ComponentChildren }) => <span class={`badge ${props.tone}`}>{props.children}</span>;

/** `purpose`: a handoff's, so a passed 办案期限 reads 超期 (model.ts CASE_HANDLING_PERIODS) */
export function Due(props: { date: string | null; overdue: boolean; provisional?: boolean; done?: boolean; purpose?: string }) {
  const { t } = useI18n();
  if (!props.date) return <span class="muted">—</span>;
  return (
    <span class="due">
      <time dateTime={props.date}>{props.date}</time>
      {props.provisional && <span class="muted">（{t('provisional')}）</span>}
      {props.overdue && !props.done && <Badge tone="danger">{t(props.purpose !== undefined && CASE_HANDLING_PERIODS.has(props.purpose) ? 'overdueTerm' : 'overdue')}</Badge>}
    </span>
  );
}

export function Timeline(props: { entries: TimelineEntry[]; label: string }) {
  const { lang } = useI18n();
  return (
    <ol class="timeline" aria-label={props.label}>
      {props.entries.map((e) => (
        <li key={e.position}>
          <time dateTime={e.time}>{dateTime(e.time, lang)}</time>
          <span>{e.summary}</span>
        </li>
      ))}
    </ol>
  );
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <span class="hint">{props.hint}</span>}
    </label>
  );
}

export function AgencySelect(props: { label: string; value: string; onChange(id: string): void; agencies: Agency[]; allowAll?: boolean; required?: boolean }) {
  const { t } = useI18n();
  return (
    <Field label={props.label}>
      <select value={props.value} required={props.required} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.allowAll && <option value="">{t('all')}</option>}
        {!props.allowAll && !props.value && <option value="">—</option>}
        {props.agencies.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

export const CaseLink = (props: { id: string; title?: string | null }) => <a href={href.case(props.id)}>{props.title || props.id}</a>;

/** Action items with their owners and due dates; the owner agency's people can complete their own. */
export function ActionItemTable(props: { items: ActionItem[]; caption: string; onChange(): void; showMeeting?: boolean; caseTitles?: Record<string, string> }) {
  const { t, lang } = useI18n();
  const { viewer } = useSession();
  if (props.items.length === 0)
    return (
      <p class="muted">
        {props.caption}：{t('none')}
      </p>
    );
  return (
    <table class="data">
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('text')}</th>
          <th scope="col">{t('relatedCase')}</th>
          <th scope="col">{t('owner')}</th>
          <th scope="col">{t('dueDate')}</th>
          <th scope="col">{t('status')}</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr key={item.id} data-action-item={item.id}>
            <td>
              {item.text}
              {props.showMeeting && (
                <div class="muted small">
                  <a href={href.meeting(item.meetingId)}>{t('dossier')}</a>
                </div>
              )}
            </td>
            <td>{item.caseId ? <CaseLink id={item.caseId} title={props.caseTitles?.[item.caseId]} /> : '—'}</td>
            <td>{item.owner.name}</td>
            <td>
              <Due date={item.dueDate} overdue={item.overdue} done={!!item.completedAt} />
            </td>
            <td>
              {item.completedAt ? (
                <Badge tone="ok">
                  {t('completed')} {dateTime(item.completedAt, lang)}
                </Badge>
              ) : item.owner.id === viewer.agency.id && !viewer.roles.includes('auditor') ? (
                <CompleteButton item={item} onDone={props.onChange} />
              ) : (
                <Badge tone="muted">{t('open')}</Badge>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CompleteButton(props: { item: ActionItem; onDone(): void }) {
  const { t } = useI18n();
  const { busy, error, run } = useMutation();
  const [note, setNote] = useState('');
  const complete = async (e: Event) => {
    e.preventDefault();
    const done = await run(() => gql(`mutation($id: ID!, $note: String) { completeActionItem(id: $id, note: $note) { ${ACTION_ITEM} } }`, { id: props.item.id, note: note || null }));
    if (done) props.onDone();
  };
  return (
    <form class="inline no-print" onSubmit={complete}>
      <Field label={t('completeNote')}>
        <input value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy}>
        {t('complete')}
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}
