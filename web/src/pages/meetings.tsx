import { useState } from 'preact/hooks';
import { gql, useQuery } from '../api';
import { dateTime } from '../format';
import { useI18n } from '../i18n';
import { isOrganizer, type Meeting } from '../model';
import { href } from '../router';
import { Badge, ErrorBox, Field, Loaded, Page, useMutation, useSession } from '../ui';

type MeetingRow = Pick<Meeting, 'id' | 'title' | 'scheduledAt' | 'status'> & {
  agenda: { reason: string }[];
  actionItems: { completedAt: string | null; overdue: boolean }[];
};

const MEETINGS = `{ meetings { id title scheduledAt status agenda { reason } actionItems { completedAt overdue } } }`;

/** 府院联动推进会: every meeting, newest first; organizers schedule new ones here. */
export function MeetingsPage() {
  const { t, code, lang } = useI18n();
  const { viewer } = useSession();
  const state = useQuery<{ meetings: MeetingRow[] }>(MEETINGS);
  return (
    <Page title={t('meetingsTitle')}>
      <Loaded state={state}>
        {(data) => {
          const meetings = [...data.meetings].sort((a, b) => b.scheduledAt.localeCompare(a.scheduledAt));
          if (meetings.length === 0) return <p class="muted">{t('none')}</p>;
          return (
            <table class="data">
              <thead>
                <tr>
                  <th scope="col">{t('meetingTitle')}</th>
                  <th scope="col">{t('scheduledAt')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col" class="num">
                    {t('agendaCount')}
                  </th>
                  <th scope="col" class="num">
                    {t('actionCount')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {meetings.map((m) => {
                  const open = m.actionItems.filter((a) => !a.completedAt);
                  const overdue = open.filter((a) => a.overdue).length;
                  return (
                    <tr key={m.id}>
                      <td>
                        <a href={href.meeting(m.id)}>{m.title}</a>
                      </td>
                      <td class="nowrap">{dateTime(m.scheduledAt, lang)}</td>
                      <td>
                        <Badge tone={m.status === 'HELD' ? 'ok' : m.status === 'CANCELLED' ? 'muted' : 'info'}>{code('meetingStatus', m.status)}</Badge>
                      </td>
                      <td class="num">{m.agenda.length}</td>
                      <td class="num">
                        {m.actionItems.length}
                        {open.length > 0 && (
                          <span class="muted">
                            {' '}
                            （{t('open')} {open.length}
                            {overdue > 0 && (
                              <>
                                ，<Badge tone="danger">{`${t('overdue')} ${overdue}`}</Badge>
                              </>
                            )}
                            ）
                          </span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          );
        }}
      </Loaded>
      {isOrganizer(viewer) && <ScheduleMeeting onScheduled={(id) => (location.hash = href.meeting(id))} />}
    </Page>
  );
}

function ScheduleMeeting(props: { onScheduled(id: string): void }) {
  const { t } = useI18n();
  const { agencies } = useSession();
  const [title, setTitle] = useState('');
  const [when, setWhen] = useState('');
  const [participants, setParticipants] = useState<string[]>(agencies.map((a) => a.id));
  const { busy, error, run } = useMutation();
  const submit = async (e: Event) => {
    e.preventDefault();
    const input = { title, scheduledAt: `${when}:00+08:00`, participants };
    const done = await run(() => gql<{ scheduleMeeting: { id: string } }>(`mutation($input: ScheduleMeetingInput!) { scheduleMeeting(input: $input) { id } }`, { input }));
    if (done) props.onScheduled(done.scheduleMeeting.id);
  };
  return (
    <section aria-labelledby="schedule-title" class="card no-print">
      <h2 id="schedule-title">{t('scheduleMeeting')}</h2>
      <form onSubmit={submit} class="stack">
        <Field label={t('meetingTitle')}>
          <input required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        </Field>
        <Field label={`${t('scheduledAt')}（UTC+8）`}>
          <input type="datetime-local" required value={when} onInput={(e) => setWhen(e.currentTarget.value)} />
        </Field>
        <fieldset>
          <legend>{t('participants')}</legend>
          <div class="checks">
            {agencies.map((a) => (
              <label key={a.id} class="check">
                <input
                  type="checkbox"
                  checked={participants.includes(a.id)}
                  onChange={(e) => setParticipants(e.currentTarget.checked ? [...participants, a.id] : participants.filter((p) => p !== a.id))}
                />
                {a.name}
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" disabled={busy}>
          {t('scheduleMeeting')}
        </button>
        {error && <ErrorBox error={error} />}
      </form>
    </section>
  );
}
