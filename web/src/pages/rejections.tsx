import { useState } from 'preact/hooks';
import { useConnection } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { isPublisher, seesAll } from '../model';
import { publish, publishStatus, type PublishResult, type PublishStatus } from '../publish';
import { AgencySelect, Badge, ErrorBox, Field, Page, useMutation, useSession } from '../ui';

export interface Rejection {
  id: string;
  source: string | null;
  channel: string;
  receivedAt: string;
  code: string;
  message: string;
  eventId: string | null;
  eventType: string | null;
  raw: string;
}

const REJECTIONS = `query($agency: ID, $first: Int, $after: String) {
  rejections(agency: $agency, first: $first, after: $after) {
    totalCount nodes { id source channel receivedAt code message eventId eventType raw } pageInfo { endCursor hasNextPage }
  }
}`;

/**
 * 退回 / 补正: the events the platform refused from this agency, each with what was sent and why (events.md §5). A
 * clerk holding the publisher role corrects the JSON and resends it through POST /v1/events with the tab's token;
 * the page then asks `publishStatus` what became of it. Organizers and auditors choose the agency and only read.
 */
export function RejectionsPage() {
  const { t } = useI18n();
  const { viewer, agencies } = useSession();
  const all = seesAll(viewer);
  const [agency, setAgency] = useState(all ? '' : viewer.agency.id);
  const list = useConnection<Rejection>(REJECTIONS, { agency: agency || null }, (d: { rejections: never }) => d.rejections, 50);
  // newest first: the one a clerk just heard about is on top
  const rows = [...list.nodes].reverse();
  return (
    <Page title={t('rejectionsTitle')}>
      <p class="muted">{t('rejectionsIntro')}</p>
      {all && (
        <form class="filters card" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
          <AgencySelect label={t('agency')} value={agency} onChange={setAgency} agencies={agencies} allowAll />
        </form>
      )}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      <p role="status">
        <Badge tone="info">{`${t('of')} ${list.totalCount}`}</Badge>
      </p>
      {rows.length === 0 && !list.loading ? (
        <p class="muted">{t('noRejections')}</p>
      ) : (
        <ol class="rejections">
          {rows.map((r) => (
            <RejectionItem key={r.id} rejection={r} canResend={isPublisher(viewer) && (r.source ?? viewer.agency.id) === viewer.agency.id} />
          ))}
        </ol>
      )}
      {list.hasNextPage && (
        <button type="button" class="link" onClick={list.loadMore} disabled={list.loading}>
          {t('loadMore')}
        </button>
      )}
    </Page>
  );
}

/** the raw text as the clerk should edit it: pretty JSON when it is JSON, the bytes as they came otherwise */
const editable = (raw: string): string => {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
};

function RejectionItem({ rejection: r, canResend }: { rejection: Rejection; canResend: boolean }) {
  const { t, code, lang } = useI18n();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(() => editable(r.raw));
  const [results, setResults] = useState<PublishResult[] | null>(null);
  const [statuses, setStatuses] = useState<PublishStatus[] | null>(null);
  const sending = useMutation();
  const resend = async () => {
    setResults(null);
    setStatuses(null);
    const answer = await sending.run(() => publish(text));
    if (!answer) return;
    setResults(answer);
    // the platform's own word on each resent event, as an agency system would ask it later
    const sourceOf = (id: string) => sourcesIn(text).get(id) ?? r.source;
    const asked = await sending.run(() => Promise.all(answer.filter((a) => a.id && sourceOf(a.id)).map((a) => publishStatus(sourceOf(a.id)!, a.id))));
    if (asked) setStatuses(asked);
  };
  const titleId = `rejection-${r.id}`;
  return (
    <li class="card rejection" data-rejection={r.id} aria-labelledby={titleId}>
      <h2 id={titleId} class="rejection-head">
        <Badge tone="danger">{r.code}</Badge> {code('rejectionCode', r.code)}
      </h2>
      <dl class="facts">
        <dt>{t('receivedAt')}</dt>
        <dd>{dateTime(r.receivedAt, lang, true)}</dd>
        <dt>{t('eventType')}</dt>
        <dd>{r.eventType ?? '—'}</dd>
        <dt>{t('eventId')}</dt>
        <dd>
          <code>{r.eventId ?? '—'}</code>
        </dd>
        <dt>{t('channel')}</dt>
        <dd>{r.channel}</dd>
        <dt>{t('rejectionMessage')}</dt>
        <dd>{r.message}</dd>
      </dl>
      {!editing && (
        <details>
          <summary>{t('rawEvent')}</summary>
          <pre class="raw">{r.raw}</pre>
        </details>
      )}
      {canResend && !editing && (
        <button type="button" onClick={() => setEditing(true)}>
          {t('correct')}
        </button>
      )}
      {editing && (
        <form
          class="resend"
          onSubmit={(e) => {
            e.preventDefault();
            void resend();
          }}
        >
          <Field label={t('correctedEvent')} hint={t('correctedEventHint')}>
            <textarea rows={Math.min(24, text.split('\n').length + 1)} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </Field>
          <button type="submit" disabled={sending.busy}>
            {t('resend')}
          </button>{' '}
          <button type="button" class="ghost" onClick={() => setEditing(false)}>
            {t('cancel')}
          </button>
        </form>
      )}
      {sending.error && <ErrorBox error={sending.error} />}
      {results && (
        <div class="resend-result" role="status">
          {results.map((a, i) => {
            const status = statuses?.find((s) => s.id === a.id);
            return (
              <p key={`${a.id}-${i}`}>
                {t('resendAnswer')}：<Badge tone={a.status === 'rejected' ? 'danger' : a.status === 'parked' ? 'info' : 'ok'}>{code('publishResult', a.status)}</Badge>
                {a.code && ` ${code('rejectionCode', a.code)}（${a.code}）：${a.message ?? ''}`}
                {status && (
                  <span class="publish-status">
                    {' · '}
                    {t('publishStatus')}：<Badge tone={status.status === 'REJECTED' ? 'danger' : status.status === 'ACCEPTED' ? 'ok' : 'info'}>{code('publishState', status.status)}</Badge>
                    {status.position && ` ${t('position')} ${status.position}`}
                    {status.parkedUntil && ` ${t('parkedUntil')} ${new Date(status.parkedUntil).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}`}
                  </span>
                )}
              </p>
            );
          })}
        </div>
      )}
    </li>
  );
}

/** event id → source of every event in the corrected text, so each is asked about under its own source */
function sourcesIn(text: string): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const parsed = JSON.parse(text) as unknown;
    for (const e of Array.isArray(parsed) ? parsed : [parsed]) {
      const { id, source } = (e ?? {}) as { id?: unknown; source?: unknown };
      if (typeof id === 'string' && typeof source === 'string') out.set(id, source);
    }
  } catch {
    // not JSON: nothing was stored under any id
  }
  return out;
}
