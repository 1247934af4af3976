import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { gql, useConnection, useQuery } from '../api';
import { CLOCK_CHANGED, useLive } from '../live';
import { dateTime } from '../format';
import { codes, useI18n } from '../i18n';
import { ACTION_ITEM, AGENCY, HANDOFF, isPublisher, seesAll, type ActionItem, type Agency, type Handoff } from '../model';
import { cloudEvent, publish } from '../publish';
import { ActionItemTable, AgencySelect, Badge, CaseLink, Due, ErrorBox, Field, Loaded, Page, useMutation, useSession } from '../ui';

/**
 * 待办 / 逾期: what an agency has to do — handoffs to work on, suggestions to answer, copy notices to
 * acknowledge, action items from the liaison meetings — overdue first. Organizers and auditors choose
 * the agency; a clerk sees its own.
 */
export function TodoPage() {
  const { t, code } = useI18n();
  const { viewer, agencies } = useSession();
  const all = seesAll(viewer);
  const [agency, setAgency] = useState(all ? '' : viewer.agency.id);
  const [direction, setDirection] = useState<'to' | 'from' | ''>('to');
  const [status, setStatus] = useState('');
  const [purpose, setPurpose] = useState('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [showEnded, setShowEnded] = useState(false);

  const handoffFilter = {
    toAgency: agency && direction !== 'from' ? agency : null,
    fromAgency: agency && direction === 'from' ? agency : null,
    status: status || null,
    purpose: purpose || null,
    overdue: overdueOnly ? true : null,
  };

  return (
    <Page title={t('todoTitle')}>
      <p class="muted">{t('todoIntro')}</p>
      <form class="filters card" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
        {all ? (
          <AgencySelect label={t('agency')} value={agency} onChange={setAgency} agencies={agencies} allowAll />
        ) : (
          <Field label={t('agency')}>
            <input value={viewer.agency.name} readOnly />
          </Field>
        )}
        <Field label={t('direction')}>
          <select value={direction} onChange={(e) => setDirection(e.currentTarget.value as 'to' | 'from' | '')} disabled={!agency}>
            <option value="to">{t('toMe')}</option>
            <option value="from">{t('fromMe')}</option>
            <option value="">{t('all')}</option>
          </select>
        </Field>
        <Field label={t('status')}>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {codes('handoffStatus').map((s) => (
              <option key={s} value={s}>
                {code('handoffStatus', s)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('purpose')}>
          <select value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {codes('purpose').map((p) => (
              <option key={p} value={p}>
                {code('purpose', p)}
              </option>
            ))}
          </select>
        </Field>
        <label class="check">
          <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.currentTarget.checked)} />
          {t('overdueOnly')}
        </label>
        <label class="check">
          <input type="checkbox" checked={showEnded} onChange={(e) => setShowEnded(e.currentTarget.checked)} />
          {t('showEnded')}
        </label>
      </form>
      {all && !agency && <CountsByAgency agencies={agencies} />}
      <HandoffBoard filter={handoffFilter} showEnded={showEnded} />
      <SuggestionList agency={agency} overdueOnly={overdueOnly} />
      <NoticeList agency={agency} />
      <OpenActionItems agency={agency} />
    </Page>
  );
}

/** Overdue and total handoffs per receiving agency. */
function CountsByAgency(props: { agencies: Agency[] }) {
  const { t } = useI18n();
  const [rows, setRows] = useState<{ agency: Agency; overdue: number; total: number }[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    let current = true;
    handoffCounts(props.agencies).then(
      (counts) => current && setRows(counts.filter((r) => r.total > 0).sort((x, y) => y.overdue - x.overdue || y.total - x.total)),
      (e: Error) => current && setError(e),
    );
    return () => void (current = false);
  }, [props.agencies]);
  return (
    <section aria-labelledby="counts-title">
      <h2 id="counts-title">{t('countsByAgency')}</h2>
      {error ? (
        <ErrorBox error={error} />
      ) : !rows ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <table class="data counts">
          <thead>
            <tr>
              <th scope="col">{t('to')}</th>
              <th scope="col" class="num">
                {t('overdueHandoffs')}
              </th>
              <th scope="col" class="num">
                {t('openHandoffs')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.agency.id}>
                <th scope="row">{r.agency.name}</th>
                <td class="num">{r.overdue > 0 ? <Badge tone="danger">{r.overdue}</Badge> : 0}</td>
                <td class="num">{r.total}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Two totalCounts per agency, a dozen agencies per request so the alias guard (30) is never reached. */
async function handoffCounts(agencies: Agency[]) {
  const chunks: Agency[][] = [];
  for (let i = 0; i < agencies.length; i += 12) chunks.push(agencies.slice(i, i + 12));
  const answers = await Promise.all(
    chunks.map((chunk) =>
      gql<Record<string, { totalCount: number }>>(
        `query Counts(${chunk.map((_, i) => `$a${i}: ID`).join(', ')}) {
          ${chunk.map((_, i) => `o${i}: handoffs(toAgency: $a${i}, overdue: true, first: 1) { totalCount } t${i}: handoffs(toAgency: $a${i}, first: 1) { totalCount }`).join('\n')}
        }`,
        Object.fromEntries(chunk.map((a, i) => [`a${i}`, a.id])),
      ).then((data) => chunk.map((agency, i) => ({ agency, overdue: data[`o${i}`]!.totalCount, total: data[`t${i}`]!.totalCount }))),
    ),
  );
  return answers.flat();
}

const HANDOFFS = `query Board($toAgency: ID, $fromAgency: ID, $status: HandoffStatus, $purpose: String, $overdue: Boolean, $first: Int, $after: String) {
  handoffs(toAgency: $toAgency, fromAgency: $fromAgency, status: $status, purpose: $purpose, overdue: $overdue, first: $first, after: $after) {
    totalCount nodes { ${HANDOFF} } pageInfo { endCursor hasNextPage }
  }
  overdue: handoffs(toAgency: $toAgency, fromAgency: $fromAgency, status: $status, purpose: $purpose, overdue: true, first: 1) { totalCount }
}`;

const ENDED = ['COMPLETED', 'RETURNED', 'WITHDRAWN'];

/**
 * The gateway lists overdue handoffs first, then open ones, then ended ones (completed, returned,
 * withdrawn); ended ones are hidden unless asked for, and once a page ends in them there is nothing
 * open left to load.
 */
function HandoffBoard(props: { filter: Record<string, unknown>; showEnded: boolean }) {
  const { t, code, lang } = useI18n();
  const [overdueCount, setOverdueCount] = useState<number | null>(null);
  const board = useConnection<Handoff>(HANDOFFS, props.filter, (d: { handoffs: never; overdue: { totalCount: number } }) => {
    setOverdueCount(d.overdue.totalCount);
    return d.handoffs;
  }, 30);
  // live (issue 17): a receipt, a due date moved, a handoff completed — a clock of the board changed. A request not yet
  // signed for starts no clock, so it appears at the next refresh (docs/decisions.md "Live updates")
  useLive(CLOCK_CHANGED, { agency: (props.filter['toAgency'] as string | null) ?? null }, board.reload);
  const showAll = props.showEnded || !!props.filter['status'];
  const rows = showAll ? board.nodes : board.nodes.filter((h) => !ENDED.includes(h.status));
  const hidden = board.nodes.length - rows.length;
  return (
    <section aria-labelledby="handoffs-title">
      <h2 id="handoffs-title">{t('handoffs')}</h2>
      <p role="status">
        <Badge tone="danger">{`${t('overdue')} ${overdueCount ?? '…'}`}</Badge>
        <Badge tone="info">{`${t('of')} ${board.totalCount}`}</Badge>
      </p>
      {board.error && <ErrorBox error={board.error} retry={board.reload} />}
      {rows.length === 0 && !board.loading ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <table class="data" aria-describedby="handoffs-title">
          <thead>
            <tr>
              <th scope="col">{t('case')}</th>
              <th scope="col">{t('purpose')}</th>
              <th scope="col">{t('from')}</th>
              <th scope="col">{t('to')}</th>
              <th scope="col">{t('requestedAt')}</th>
              <th scope="col">{t('dueDate')}</th>
              <th scope="col">{t('status')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr key={h.id} class={h.overdue ? 'row-overdue' : ENDED.includes(h.status) ? 'row-ended' : undefined}>
                <td>
                  <CaseLink id={h.caseId} title={h.case?.title} />
                </td>
                <td>{code('purpose', h.purpose)}</td>
                <td>{h.from.name}</td>
                <td>{h.to.name}</td>
                <td class="nowrap">{dateTime(h.requestedAt, lang)}</td>
                <td>
                  <Due date={h.dueDate} overdue={h.overdue} provisional={h.dueDateProvisional} purpose={h.purpose} />
                </td>
                <td class="nowrap">{code('handoffStatus', h.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        {t('shown')} {rows.length} / {board.totalCount}
        {hidden > 0 && `（${t('endedHidden')}${hidden}）`}
        {board.hasNextPage && (showAll || !ENDED.includes(board.nodes[board.nodes.length - 1]!.status)) && (
          <button type="button" class="link" onClick={board.loadMore} disabled={board.loading}>
            {t('loadMore')}
          </button>
        )}
      </p>
    </section>
  );
}

interface Suggestion {
  id: string;
  caseId: string;
  category: string;
  from: Agency;
  to: Agency;
  summary: string;
  issuedAt: string;
  /** null until the 被建议单位 received it or the issuer served it: no reply clock yet */
  dueDate: string | null;
  overdue: boolean;
  repliedAt: string | null;
}

function SuggestionList(props: { agency: string; overdueOnly: boolean }) {
  const { t, code } = useI18n();
  const { viewer } = useSession();
  const [replying, setReplying] = useState<string | null>(null);
  const state = useQuery<{ suggestions: Suggestion[] }>(
    `query($to: ID, $overdue: Boolean) { suggestions(toAgency: $to, overdue: $overdue) { id caseId category from { ${AGENCY} } to { ${AGENCY} } summary issuedAt dueDate overdue repliedAt } }`,
    { to: props.agency || null, overdue: props.overdueOnly ? true : null },
  );
  useLive(CLOCK_CHANGED, { agency: props.agency || null }, state.reload); // live (issue 17)
  return (
    <section aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t('suggestions')}</h2>
      <Loaded state={state}>
        {(data) => {
          const open = data.suggestions.filter((s) => !s.repliedAt).sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999'));
          if (open.length === 0) return <p class="muted">{t('none')}</p>;
          return (
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{t('category')}</th>
                  <th scope="col">{t('summary')}</th>
                  <th scope="col">{t('from')}</th>
                  <th scope="col">{t('to')}</th>
                  <th scope="col">{t('dueDate')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('reply')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {open.map((s) => (
                  <Fragment key={s.id}>
                  <tr class={s.overdue ? 'row-overdue' : undefined} data-suggestion={s.id}>
                    <td>{code('category', s.category)}</td>
                    <td>
                      <CaseLink id={s.caseId} title={s.summary} />
                    </td>
                    <td>{s.from.name}</td>
                    <td>{s.to.name}</td>
                    <td>
                      <Due date={s.dueDate} overdue={s.overdue} />
                    </td>
                    <td>
                      {s.to.id === viewer.agency.id && isPublisher(viewer) && replying !== s.id && (
                        <button type="button" onClick={() => setReplying(s.id)}>
                          {t('reply')}
                        </button>
                      )}
                    </td>
                  </tr>
                  {replying === s.id && (
                    <tr>
                      <td colSpan={6}>
                        <ReplyForm suggestion={s} onCancel={() => setReplying(null)} onSent={() => (setReplying(null), state.reload())} />
                      </td>
                    </tr>
                  )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}

/**
 * 答复: the addressee's reply to a suggestion, published as `suggestion.replied` (events.md) through POST /v1/events
 * with the clerk's own token — the platform names no GraphQL mutation for it, and this way the reply is the same fact
 * an agency system would send, checked by the same rules.
 */
function ReplyForm(props: { suggestion: Suggestion; onCancel(): void; onSent(): void }) {
  const { t, code } = useI18n();
  const { viewer } = useSession();
  const [summary, setSummary] = useState('');
  const [adopted, setAdopted] = useState(true);
  const sending = useMutation();
  const [refused, setRefused] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setRefused(null);
    const s = props.suggestion;
    const event = cloudEvent(viewer.agency.id, 'suggestion.replied', s.caseId, { suggestionId: s.id, adopted, summary: summary.trim() });
    const results = await sending.run(() => publish(JSON.stringify(event)));
    const result = results?.[0];
    if (!result) return;
    if (result.status === 'accepted' || result.status === 'duplicate') props.onSent();
    else setRefused(`${code('publishResult', result.status)}：${result.code ? code('rejectionCode', result.code) : ''} ${result.message ?? ''}`);
  };
  return (
    <form class="reply" aria-label={`${t('reply')}：${props.suggestion.summary}`} onSubmit={submit}>
      <Field label={t('replySummary')}>
        <textarea rows={3} required value={summary} onInput={(e) => setSummary(e.currentTarget.value)} />
      </Field>
      <Field label={t('adopted')}>
        <select value={adopted ? 'yes' : 'no'} onChange={(e) => setAdopted(e.currentTarget.value === 'yes')}>
          <option value="yes">{t('adoptedYes')}</option>
          <option value="no">{t('adoptedNo')}</option>
        </select>
      </Field>
      <button type="submit" disabled={sending.busy}>
        {t('sendReply')}
      </button>{' '}
      <button type="button" class="ghost" onClick={props.onCancel}>
        {t('cancel')}
      </button>
      {sending.error && <ErrorBox error={sending.error} />}
      {refused && <ErrorBox error={new Error(refused)} />}
    </form>
  );
}

interface CopyNotice {
  id: string;
  caseId: string;
  reason: string;
  issuedAt: string;
  recipients: Agency[];
  acknowledgedBy: Agency[];
  dueDate: string;
  overdue: boolean;
}

function NoticeList(props: { agency: string }) {
  const { t, code } = useI18n();
  const { viewer } = useSession();
  const state = useQuery<{ copyNotices: CopyNotice[] }>(
    `query($agency: ID) { copyNotices(agency: $agency, acknowledged: false) { id caseId reason issuedAt recipients { ${AGENCY} } acknowledgedBy { ${AGENCY} } dueDate overdue } }`,
    { agency: props.agency || null },
  );
  useLive(CLOCK_CHANGED, { agency: props.agency || null }, state.reload); // live (issue 17)
  const acknowledge = useMutation();
  const pendingFor = (n: CopyNotice) => n.recipients.filter((r) => !n.acknowledgedBy.some((a) => a.id === r.id) && (!props.agency || r.id === props.agency));
  return (
    <section aria-labelledby="notices-title">
      <h2 id="notices-title">{t('notices')}</h2>
      {acknowledge.error && <ErrorBox error={acknowledge.error} />}
      <Loaded state={state}>
        {(data) => {
          const pending = data.copyNotices.filter((n) => pendingFor(n).length > 0).sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate));
          if (pending.length === 0) return <p class="muted">{t('none')}</p>;
          return (
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{t('case')}</th>
                  <th scope="col">{t('reason')}</th>
                  <th scope="col">{t('recipients')}</th>
                  <th scope="col">{t('dueDate')}</th>
                  <th scope="col">
                    <span class="sr-only">{t('acknowledge')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {pending.map((n) => (
                  <tr key={n.id} class={n.overdue ? 'row-overdue' : undefined} data-notice={n.id}>
                    <td>
                      <CaseLink id={n.caseId} />
                    </td>
                    <td>{code('reason', n.reason)}</td>
                    <td>{pendingFor(n).map((a) => a.name).join('、')}</td>
                    <td>
                      <Due date={n.dueDate} overdue={n.overdue} />
                    </td>
                    <td>
                      {pendingFor(n).some((a) => a.id === viewer.agency.id) && viewer.roles.includes('viewer') && (
                        <button
                          type="button"
                          disabled={acknowledge.busy}
                          onClick={async () => (await acknowledge.run(() => gql(`mutation($id: ID!) { acknowledgeNotice(id: $id) { id } }`, { id: n.id }))) && state.reload()}
                        >
                          {t('acknowledge')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </section>
  );
}

function OpenActionItems(props: { agency: string }) {
  const { t } = useI18n();
  const state = useQuery<{ meetings: { actionItems: ActionItem[] }[] }>(`{ meetings { actionItems { ${ACTION_ITEM} } } }`);
  useLive(CLOCK_CHANGED, { agency: props.agency || null }, state.reload); // live (issue 17)
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">{t('actionItems')}</h2>
      <Loaded state={state}>
        {(data) => {
          const open = data.meetings
            .flatMap((m) => m.actionItems)
            .filter((a) => !a.completedAt && (!props.agency || a.owner.id === props.agency))
            .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueDate.localeCompare(b.dueDate));
          return <ActionItemTable items={open} caption={t('actionItems')} onChange={state.reload} showMeeting />;
        }}
      </Loaded>
    </section>
  );
}
