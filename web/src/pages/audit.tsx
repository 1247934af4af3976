import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { gql, GraphqlError, useConnection, useQuery, type QueryState } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { CASE_DETAIL, isAuditor, type CaseDetail } from '../model';
import { href } from '../router';
import { Badge, Due, ErrorBox, Field, Loaded, Page, Timeline, useSession } from '../ui';
import { CaseFacts, DeadlineTable } from './case';

interface StoredEvent {
  position: string;
  revision: number;
  type: string;
  time: string;
  recordedAt: string;
  source: string | null;
  principal: string | null;
  channel: string;
  hash: string;
  prevHash: string | null;
}

const HISTORY = `query History($stream: String!, $first: Int, $after: String) {
  history(stream: $stream, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { position revision type time recordedAt source principal channel hash prevHash }
  }
}`;

/** 审计: a stream's stored events, the case as the platform knew it at any moment, and the integrity check. */
export function AuditPage(props: { stream: string | null }) {
  const { t } = useI18n();
  const { viewer } = useSession();
  const [draft, setDraft] = useState(props.stream ?? '');
  // follow the route's stream when it changes (a link, back/forward) — but not on mount: Preact runs effects after
  // paint, and resetting then wiped what a quick hand (or the browser test) had already typed
  const shownStream = useRef(props.stream);
  useEffect(() => {
    if (shownStream.current === props.stream) return;
    shownStream.current = props.stream;
    setDraft(props.stream ?? '');
  }, [props.stream]);
  if (!isAuditor(viewer)) return <Page title={t('auditTitle')}>{t('notFound')}</Page>;
  return (
    <Page title={t('auditTitle')}>
      <form class="filters card" onSubmit={(e) => (e.preventDefault(), (location.hash = href.audit(draft.trim())))}>
        <Field label={t('stream')} hint={t('streamHelp')}>
          <input value={draft} list="streams" required onInput={(e) => setDraft(e.currentTarget.value)} />
        </Field>
        <StreamSuggestions />
        <button type="submit">{t('loadHistory')}</button>
      </form>
      <Verification stream={props.stream} />
      {props.stream && <StreamHistory stream={props.stream} />}
    </Page>
  );
}

function StreamSuggestions() {
  const state = useQuery<{ cases: { nodes: { id: string; title: string }[] }; meetings: { id: string; title: string }[] }>(`{ cases(first: 500) { nodes { id title } } meetings { id title } }`);
  return (
    <datalist id="streams">
      {state.data?.cases.nodes.map((c) => <option key={c.id} value={`case-${c.id}`} label={c.title} />)}
      {state.data?.meetings.map((m) => <option key={m.id} value={`meeting-${m.id}`} label={m.title} />)}
    </datalist>
  );
}

function StreamHistory({ stream }: { stream: string }) {
  const { t, lang } = useI18n();
  const history = useConnection<StoredEvent>(HISTORY, { stream }, (d: { history: never }) => d.history, 500);
  const caseId = stream.startsWith('case-') ? stream.slice('case-'.length) : null;
  return (
    <>
      <section aria-labelledby="history-title">
        <h2 id="history-title">
          {t('history')} <code>{stream}</code> <Badge tone="info">{`${history.totalCount} ${t('events')}`}</Badge>
        </h2>
        {history.error && <ErrorBox error={history.error} retry={history.reload} />}
        <div class="scroll">
          <table class="data history">
            <thead>
              <tr>
                <th scope="col">{t('revision')}</th>
                <th scope="col">{t('position')}</th>
                <th scope="col">{t('type')}</th>
                <th scope="col">{t('time')}</th>
                <th scope="col">{t('recordedAt')}</th>
                <th scope="col">{t('source')}</th>
                <th scope="col">{t('principal')}</th>
                <th scope="col">{t('channel')}</th>
                <th scope="col">{t('hash')}</th>
              </tr>
            </thead>
            <tbody>
              {history.nodes.map((e) => (
                <tr key={e.position}>
                  <td class="num">{e.revision}</td>
                  <td class="num">{e.position}</td>
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td class="nowrap">{dateTime(e.time, lang)}</td>
                  <td class="nowrap">{dateTime(e.recordedAt, lang, true)}</td>
                  <td>{e.source ?? '—'}</td>
                  <td>{e.principal ?? '—'}</td>
                  <td>{e.channel}</td>
                  <td>
                    <code class="hash" title={e.hash}>
                      {e.hash.slice(0, 12)}…
                    </code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {history.hasNextPage && (
          <button type="button" class="link" onClick={history.loadMore}>
            {t('loadMore')}
          </button>
        )}
      </section>
      {caseId && history.nodes.length > 0 && <AsOf caseId={caseId} events={history.nodes} />}
    </>
  );
}

/** The case after a stream's events 0..revision, and which revision the answer shown is for. */
function useCaseAtRevision(caseId: string, revision: number): QueryState<{ case: CaseDetail | null }> & { shownRevision: number | null } {
  const [answer, setAnswer] = useState<{ revision: number; data: { case: CaseDetail | null } | null; error: GraphqlError | null } | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    gql<{ case: CaseDetail | null }>(`query($id: ID!, $atRevision: Int) { case(id: $id, atRevision: $atRevision) { ${CASE_DETAIL} } }`, { id: caseId, atRevision: revision }).then(
      (data) => current && setAnswer({ revision, data, error: null }),
      (error: GraphqlError) => current && setAnswer({ revision, data: null, error }),
    );
    return () => void (current = false);
  }, [caseId, revision, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: answer?.data ?? null, error: answer?.error ?? null, loading: answer?.revision !== revision, reload, shownRevision: answer?.revision ?? null };
}

/**
 * The slider walks the stream's events; the case is folded from its events up to the chosen one (`atRevision`:
 * events of one batch share their recordedAt, so a point in time could not tell them apart). Until the answer
 * for the chosen event arrives the previous one stays, marked busy; `data-revision` says which event it is for.
 */
function AsOf({ caseId, events }: { caseId: string; events: StoredEvent[] }) {
  const { t, lang, code } = useI18n();
  const { agencies } = useSession();
  const [index, setIndex] = useState(events.length - 1);
  const event = events[Math.min(index, events.length - 1)]!;
  const state = useCaseAtRevision(caseId, event.revision);
  return (
    <section aria-labelledby="asof-title">
      <h2 id="asof-title">{t('asOf')}</h2>
      <p class="muted">{t('asOfHelp')}</p>
      <Field label={`${t('asOf')}：${dateTime(event.recordedAt, lang, true)} · ${t('revision')} ${event.revision} ${event.type}（${index + 1} / ${events.length}）`}>
        <input
          type="range"
          min={0}
          max={events.length - 1}
          step={1}
          value={index}
          aria-valuetext={`${t('revision')} ${event.revision} ${event.type} ${dateTime(event.recordedAt, lang, true)}`}
          onInput={(e) => setIndex(Number(e.currentTarget.value))}
        />
      </Field>
      <Loaded state={state}>
        {(data) =>
          data.case ? (
            <div class="card" aria-live="polite" aria-busy={state.loading} data-revision={state.shownRevision}>
              <h3>
                {t('asOfState')}：{data.case.title}
              </h3>
              <CaseFacts file={data.case} />
              <h4>{t('handoffs')}</h4>
              <ul>
                {data.case.handoffs.map((h) => (
                  <li key={h.id}>
                    {h.from.name} → {h.to.name}：{code('handoffStatus', h.status)} <Due date={h.dueDate} overdue={h.overdue} />
                  </li>
                ))}
              </ul>
              <h4>{t('deadlines')}</h4>
              <DeadlineTable deadlines={data.case.deadlines} agencies={agencies} />
              <h4>{t('timeline')}</h4>
              <Timeline entries={data.case.timeline} label={t('timeline')} />
            </div>
          ) : (
            <p class="muted" aria-busy={state.loading} data-revision={state.shownRevision}>
              {t('none')}
            </p>
          )
        }
      </Loaded>
    </section>
  );
}

interface AuditReport {
  ok: boolean;
  checked: number;
  firstBrokenPosition: string | null;
  detail: string | null;
}

/** auditVerify may not be offered yet (it answers an error until the stored hash chain lands): say so plainly. */
function Verification({ stream }: { stream: string | null }) {
  const { t } = useI18n();
  const [result, setResult] = useState<{ scope: string; report?: AuditReport; error?: GraphqlError } | null>(null);
  const [busy, setBusy] = useState(false);
  const verify = async (scope: string | null) => {
    setBusy(true);
    try {
      const data = await gql<{ auditVerify: AuditReport }>(`query($s: String) { auditVerify(stream: $s) { ok checked firstBrokenPosition detail } }`, { s: scope });
      setResult({ scope: scope ?? t('all'), report: data.auditVerify });
    } catch (error) {
      setResult({ scope: scope ?? t('all'), error: error as GraphqlError });
    } finally {
      setBusy(false);
    }
  };
  // a stream's status shows as soon as it is chosen; checking everything waits for the button
  useEffect(() => {
    setResult(null);
    if (stream) void verify(stream);
  }, [stream]);
  return (
    <section aria-labelledby="verify-title" class="card">
      <h2 id="verify-title">{t('verification')}</h2>
      <div class="row">
        {stream && (
          <button type="button" disabled={busy} onClick={() => verify(stream)}>
            {t('verifyStream')}
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => verify(null)}>
          {t('verifyAll')}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {result?.report && (
          <p>
            <Badge tone={result.report.ok ? 'ok' : 'danger'}>{t(result.report.ok ? 'verifyOk' : 'verifyBroken')}</Badge> {result.scope} · {t('checked')} {result.report.checked}
            {result.report.firstBrokenPosition && ` · ${t('firstBroken')} ${result.report.firstBrokenPosition}`}
            {result.report.detail && <span class="muted"> · {result.report.detail}</span>}
          </p>
        )}
        {result?.error && (
          <p>
            <Badge tone="muted">{t('verifyUnavailable')}</Badge> <span class="muted">{result.error.message}</span>
          </p>
        )}
      </div>
    </section>
  );
}
