import { useEffect, useState } from 'preact/hooks';
import { gql, useQuery } from '../api';
import { CASE_CHANGED, CLOCK_CHANGED, useLive } from '../live';
import { download } from '../exportFiles';
import { chinaDate, dateTime } from '../format';
import { useI18n } from '../i18n';
import { ACTION_ITEM, MEETING, isOrganizer, type Meeting } from '../model';
import { href } from '../router';
import { ActionItemTable, AgencySelect, Badge, CaseLink, ErrorBox, Field, Loaded, Page, Timeline, useMutation, useSession } from '../ui';

/**
 * A meeting's dossier (会议材料): the agenda with each case's timeline and resolution, the action items,
 * the items carried over from earlier meetings, and — for organizers — the attention list to nominate
 * from. It prints on A4 as the meeting table (forms and the attention list are left out).
 */
export function DossierPage(props: { id: string }) {
  const { t } = useI18n();
  const state = useQuery<{ meeting: Meeting | null }>(`query($id: ID!) { meeting(id: $id) { ${MEETING} } }`, { id: props.id });
  useOpenDetailsForPrint();
  // live (issue 17): the action items' clocks; the agenda cases below, each by its own subscription
  useLive(CLOCK_CHANGED, { agency: null }, state.reload);
  return (
    <Loaded state={state}>
      {(data) =>
        data.meeting ? (
          <>
            {data.meeting.agenda.map((item) => (
              <LiveCase key={item.case.id} id={item.case.id} onChange={state.reload} />
            ))}
            <Dossier meeting={data.meeting} reload={state.reload} />
          </>
        ) : (
          <Page title={t('dossier')}>
            <p>{t('notFound')}</p>
            <a href={href.meetings()}>{t('back')}</a>
          </Page>
        )
      }
    </Loaded>
  );
}

/** refreshes the dossier when an agenda case changes (its timeline, its deadlines); renders nothing */
function LiveCase(props: { id: string; onChange(): void }) {
  useLive(CASE_CHANGED, { id: props.id }, props.onChange);
  return null;
}

function Dossier({ meeting, reload }: { meeting: Meeting; reload(): void }) {
  const i18n = useI18n();
  const { t, code, lang } = i18n;
  const printedOn = usePrintDate();
  const exporting = useMutation();
  const { viewer } = useSession();
  const organizer = isOrganizer(viewer) && meeting.status !== 'CANCELLED';
  const caseTitles = Object.fromEntries(meeting.agenda.map((a) => [a.case.id, a.case.title]));
  return (
    <Page
      title={meeting.title}
      actions={
        <>
          <button type="button" onClick={() => print()}>
            {t('print')}
          </button>
          <button
            type="button"
            disabled={exporting.busy}
            onClick={() => exporting.run(async () => download(`${meeting.title}-${t('docxTitleSuffix')}.docx`, await (await import('../dossierDocx')).dossierDocx(meeting, i18n, chinaDate(new Date()))))}
          >
            {t('downloadDocx')}
          </button>
        </>
      }
    >
      {exporting.error && <ErrorBox error={exporting.error} />}
      {/* every printed page: the number in the footer's middle, the print date on its left (Chromium's @page margin boxes) */}
      <style>{`@media print { @page { @bottom-left { content: ${JSON.stringify(`${t('printedOn')} ${printedOn}`)}; font-size: 9pt; } @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } } }`}</style>
      <p class="print-only print-date">
        {t('printedOn')}：{printedOn}
      </p>
      <dl class="facts">
        <dt>{t('status')}</dt>
        <dd>
          <Badge tone={meeting.status === 'HELD' ? 'ok' : meeting.status === 'CANCELLED' ? 'muted' : 'info'}>{code('meetingStatus', meeting.status)}</Badge>
        </dd>
        <dt>{t('scheduledAt')}</dt>
        <dd>{dateTime(meeting.scheduledAt, lang)}</dd>
        <dt>{t('organizer')}</dt>
        <dd>{meeting.organizer.name}</dd>
        <dt>{t('participants')}</dt>
        <dd>{meeting.participants.map((a) => a.name).join('、')}</dd>
        {meeting.attendees.length > 0 && (
          <>
            <dt>{t('attendees')}</dt>
            <dd>{meeting.attendees.map((a) => a.name).join('、')}</dd>
          </>
        )}
      </dl>
      {organizer && meeting.status === 'SCHEDULED' && <MeetingControls meeting={meeting} onChange={reload} />}

      <section aria-labelledby="agenda-title">
        <h2 id="agenda-title">{t('agenda')}</h2>
        {meeting.agenda.length === 0 && <p class="muted">{t('none')}</p>}
        <ol class="agenda">
          {meeting.agenda.map((item, index) => (
            <li key={item.case.id} class="agenda-item" data-agenda-case={item.case.id}>
              <h3 id={`agenda-${index}`}>
                <CaseLink id={item.case.id} title={item.case.title} /> <Badge tone="info">{code('reason', item.reason)}</Badge>
              </h3>
              {item.case.caseNumber && <p class="muted">{item.case.caseNumber}</p>}
              <div class="resolution">
                <strong>{t('resolution')}：</strong>
                {item.resolution ?? <span class="muted">{t('noResolution')}</span>}
              </div>
              {organizer && !item.resolution && <ResolutionForm meetingId={meeting.id} caseId={item.case.id} describedBy={`agenda-${index}`} onDone={reload} />}
              <details>
                <summary>
                  {t('timeline')}（{item.case.timeline.length}）
                </summary>
                <Timeline entries={item.case.timeline} label={`${t('timeline')}：${item.case.title}`} />
              </details>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="actions-title">
        <h2 id="actions-title">{t('actionItems')}</h2>
        <ActionItemTable items={meeting.actionItems} caption={t('actionItems')} onChange={reload} caseTitles={caseTitles} />
        {organizer && (meeting.status === 'HELD' ? <AssignForm meeting={meeting} onDone={reload} /> : <p class="muted no-print">{t('assignOnlyHeld')}</p>)}
      </section>

      <section aria-labelledby="carried-title">
        <h2 id="carried-title">{t('carriedOver')}</h2>
        <ActionItemTable items={meeting.carriedOver} caption={t('carriedOver')} onChange={reload} showMeeting caseTitles={caseTitles} />
      </section>

      {organizer && <AttentionList meeting={meeting} onNominated={reload} />}
    </Page>
  );
}

function AttentionList({ meeting, onNominated }: { meeting: Meeting; onNominated(): void }) {
  const { t, code } = useI18n();
  const { busy, error, run } = useMutation();
  const nominate = async (caseId: string, reason: string) => {
    if (await run(() => gql(`mutation($m: ID!, $c: ID!, $r: String) { nominateCase(meetingId: $m, caseId: $c, reason: $r) { id } }`, { m: meeting.id, c: caseId, r: reason }))) onNominated();
  };
  return (
    <section aria-labelledby="attention-title" class="no-print">
      <h2 id="attention-title">{t('attention')}</h2>
      <p class="muted">
        <Badge tone="info">{meeting.attention.length}</Badge> {t('attentionHelp')}
      </p>
      {error && <ErrorBox error={error} />}
      {meeting.attention.length === 0 ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('case')}</th>
              <th scope="col">{t('reason')}</th>
              <th scope="col">{t('summary')}</th>
              <th scope="col">
                <span class="sr-only">{t('nominate')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {meeting.attention.map((a) => (
              <tr key={`${a.case.id}/${a.reason}`} data-attention-case={a.case.id}>
                <td>
                  <CaseLink id={a.case.id} title={a.case.title} />
                </td>
                <td>{code('reason', a.reason)}</td>
                <td>{a.detail}</td>
                <td>
                  <button type="button" disabled={busy} aria-label={`${t('nominate')}：${a.case.title}`} onClick={() => nominate(a.case.id, a.reason)}>
                    {t('nominate')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ResolutionForm(props: { meetingId: string; caseId: string; describedBy: string; onDone(): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const { busy, error, run } = useMutation();
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(() => gql(`mutation($m: ID!, $c: ID!, $text: String!) { recordResolution(meetingId: $m, caseId: $c, text: $text) { id } }`, { m: props.meetingId, c: props.caseId, text }));
    if (ok) props.onDone();
  };
  return (
    <form class="stack no-print" onSubmit={submit}>
      <Field label={t('recordResolution')}>
        <textarea required rows={3} value={text} aria-describedby={props.describedBy} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <button type="submit" disabled={busy}>
        {t('recordResolution')}
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function AssignForm({ meeting, onDone }: { meeting: Meeting; onDone(): void }) {
  const { t } = useI18n();
  const { agencies } = useSession();
  const [text, setText] = useState('');
  const [caseId, setCaseId] = useState('');
  const [owner, setOwner] = useState('');
  const [dueDate, setDueDate] = useState('');
  const { busy, error, run } = useMutation();
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = { meetingId: meeting.id, caseId: caseId || null, text, owner, dueDate };
    const ok = await run(() => gql(`mutation($input: AssignActionItemInput!) { assignActionItem(input: $input) { ${ACTION_ITEM} } }`, { input }));
    if (ok) {
      setText('');
      onDone();
    }
  };
  return (
    <form class="card stack no-print" onSubmit={submit} aria-labelledby="assign-title">
      <h3 id="assign-title">{t('assignActionItem')}</h3>
      <Field label={t('text')}>
        <textarea required rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <Field label={t('relatedCase')}>
          <select value={caseId} onChange={(e) => setCaseId(e.currentTarget.value)}>
            <option value="">{t('noCase')}</option>
            {meeting.agenda.map((a) => (
              <option key={a.case.id} value={a.case.id}>
                {a.case.title}
              </option>
            ))}
          </select>
        </Field>
        <AgencySelect label={t('owner')} value={owner} onChange={setOwner} agencies={agencies} required />
        <Field label={t('dueDate')}>
          <input type="date" required value={dueDate} onInput={(e) => setDueDate(e.currentTarget.value)} />
        </Field>
      </div>
      <button type="submit" disabled={busy}>
        {t('assign')}
      </button>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

function MeetingControls({ meeting, onChange }: { meeting: Meeting; onChange(): void }) {
  const { t } = useI18n();
  const [attendees, setAttendees] = useState(meeting.participants.map((a) => a.id));
  const [reason, setReason] = useState('');
  const held = useMutation();
  const cancel = useMutation();
  return (
    <div class="row no-print">
      <form
        class="card stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await held.run(() => gql(`mutation($m: ID!, $a: [ID!]!) { recordMeetingHeld(meetingId: $m, attendees: $a) { id } }`, { m: meeting.id, a: attendees }))) onChange();
        }}
      >
        <fieldset>
          <legend>{t('attendees')}</legend>
          <div class="checks">
            {meeting.participants.map((a) => (
              <label key={a.id} class="check">
                <input type="checkbox" checked={attendees.includes(a.id)} onChange={(e) => setAttendees(e.currentTarget.checked ? [...attendees, a.id] : attendees.filter((x) => x !== a.id))} />
                {a.name}
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" disabled={held.busy}>
          {t('recordHeld')}
        </button>
        {held.error && <ErrorBox error={held.error} />}
      </form>
      <form
        class="card stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await cancel.run(() => gql(`mutation($id: ID!, $r: String!) { cancelMeeting(id: $id, reason: $r) { id } }`, { id: meeting.id, r: reason }))) onChange();
        }}
      >
        <Field label={t('cancelReason')}>
          <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="danger" disabled={cancel.busy}>
          {t('cancelMeeting')}
        </button>
        {cancel.error && <ErrorBox error={cancel.error} />}
      </form>
    </div>
  );
}

/** The printed meeting table shows every case's timeline: open the collapsed ones for printing. */
function useOpenDetailsForPrint() {
  useEffect(() => {
    const closed: HTMLDetailsElement[] = [];
    const before = () => document.querySelectorAll('details:not([open])').forEach((d) => (closed.push(d as HTMLDetailsElement), ((d as HTMLDetailsElement).open = true)));
    const after = () => closed.splice(0).forEach((d) => (d.open = false));
    addEventListener('beforeprint', before);
    addEventListener('afterprint', after);
    return () => {
      removeEventListener('beforeprint', before);
      removeEventListener('afterprint', after);
    };
  }, []);
}

/** today in China time, renewed as the print dialog opens (a dossier left open overnight prints with the new date) */
function usePrintDate(): string {
  const [today, setToday] = useState(() => chinaDate(new Date()));
  useEffect(() => {
    const before = () => setToday(chinaDate(new Date()));
    addEventListener('beforeprint', before);
    return () => removeEventListener('beforeprint', before);
  }, []);
  return today;
}
