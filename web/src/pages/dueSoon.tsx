import { useState } from 'preact/hooks';
import { useConnection } from '../api';
import { useI18n } from '../i18n';
import { AGENCY, seesAll, type Agency } from '../model';
import { AgencySelect, Badge, CaseLink, Due, ErrorBox, Field, Page, useSession } from '../ui';

interface Clock {
  id: string;
  kind: string;
  name: string;
  case: { id: string; title: string } | null;
  owner: Agency;
  dueDate: string | null;
  dueDateProvisional: boolean;
  overdue: boolean;
  daysLeft: number | null;
}

const CLOCKS = `query($agency: ID, $days: Int, $first: Int, $after: String) {
  clocks(agency: $agency, dueWithinDays: $days, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { id kind name case { id title } owner { ${AGENCY} } dueDate dueDateProvisional overdue daysLeft }
  }
}`;

const WINDOWS = [3, 5, 10, 20];

/** the clock name without the id it carries (suggestion_reply:<id>, notice_ack:<id>:<agency>) for its Chinese name */
const deadlineCode = (name: string): string => name.split(':')[0]!;

/**
 * 临期: running clocks due within the next N working days and not yet overdue (graphql.md revision 2 `clocks`),
 * soonest first — what to do before it becomes 逾期. A clerk sees its own agency's; organizers and auditors choose.
 */
export function DueSoonPage() {
  const { t, code } = useI18n();
  const { viewer, agencies } = useSession();
  const all = seesAll(viewer);
  const [agency, setAgency] = useState(all ? '' : viewer.agency.id);
  const [days, setDays] = useState(5);
  const clocks = useConnection<Clock>(CLOCKS, { agency: agency || null, days }, (d: { clocks: never }) => d.clocks, 100);
  return (
    <Page title={t('dueSoonTitle')}>
      <p class="muted">{t('dueSoonIntro')}</p>
      <form class="filters card" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
        {all ? (
          <AgencySelect label={t('agency')} value={agency} onChange={setAgency} agencies={agencies} allowAll />
        ) : (
          <Field label={t('agency')}>
            <input value={viewer.agency.name} readOnly />
          </Field>
        )}
        <Field label={t('dueWithin')}>
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {WINDOWS.map((n) => (
              <option key={n} value={n}>
                {t('workingDaysN').replace('{n}', String(n))}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {clocks.error && <ErrorBox error={clocks.error} retry={clocks.reload} />}
      <p role="status">
        <Badge tone="info">{`${t('of')} ${clocks.totalCount}`}</Badge>
      </p>
      {clocks.nodes.length === 0 && !clocks.loading ? (
        <p class="muted">{t('none')}</p>
      ) : (
        <table class="data due-soon">
          <thead>
            <tr>
              <th scope="col">{t('clockKind')}</th>
              <th scope="col">{t('deadlineName')}</th>
              <th scope="col">{t('case')}</th>
              <th scope="col">{t('owner')}</th>
              <th scope="col">{t('dueDate')}</th>
              <th scope="col" class="num">
                {t('daysLeft')}
              </th>
            </tr>
          </thead>
          <tbody>
            {clocks.nodes.map((c) => (
              <tr key={c.id} data-clock={c.id}>
                <td>{code('clockKind', c.kind)}</td>
                <td>{code('deadline', deadlineCode(c.name)) !== deadlineCode(c.name) ? code('deadline', deadlineCode(c.name)) : code('clockKind', c.kind)}</td>
                <td>{c.case ? <CaseLink id={c.case.id} title={c.case.title} /> : '—'}</td>
                <td>{c.owner.name}</td>
                <td>
                  <Due date={c.dueDate} overdue={c.overdue} provisional={c.dueDateProvisional} />
                </td>
                <td class="num">{c.daysLeft === 0 ? <Badge tone="danger">{t('dueToday')}</Badge> : c.daysLeft ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {clocks.hasNextPage && (
        <button type="button" class="link" onClick={clocks.loadMore} disabled={clocks.loading}>
          {t('loadMore')}
        </button>
      )}
    </Page>
  );
}
