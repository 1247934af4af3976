import { useEffect, useState } from 'preact/hooks';
import { useConnection } from '../api';
import { dateTime } from '../format';
import { codes, useI18n } from '../i18n';
import { AGENCY, seesAll, type Agency } from '../model';
import { AgencySelect, Badge, CaseLink, ErrorBox, Field, Page, useSession } from '../ui';

interface CaseRow {
  id: string;
  kind: string;
  title: string;
  caseNumber: string | null;
  status: string;
  registeredBy: Agency;
  registeredAt: string;
  major: boolean;
  handoffs: { overdue: boolean }[];
  deadlines: { overdue: boolean }[];
  /** asked for by the search only: the agency filter applies to its results here */
  agencies?: { id: string }[];
}

const CASES = `query Cases($agency: ID, $kind: String, $status: String, $first: Int, $after: String) {
  cases(agency: $agency, kind: $kind, status: $status, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { id kind title caseNumber status registeredBy { ${AGENCY} } registeredAt major handoffs { overdue } deadlines { overdue } }
  }
}`;

const SEARCH = `query SearchCases($text: String!, $first: Int, $after: String) {
  search(text: $text, first: $first, after: $after) {
    totalCount pageInfo { endCursor hasNextPage }
    nodes { id kind title caseNumber status registeredBy { ${AGENCY} } registeredAt major handoffs { overdue } deadlines { overdue } agencies { id } }
  }
}`;

/** how long typing may pause before the search is sent: one request per word typed, not per key */
const SEARCH_PAUSE_MS = 300;

/** the text once typing has paused */
function usePaused(text: string): string {
  const [paused, setPaused] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setPaused(text), SEARCH_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return paused;
}

/**
 * 案件: the filters the API offers (agency, kind, status) narrow on the server. The search box asks the server
 * (graphql.md `search`: title, 案号, party names — over every case the user may see, not only the pages loaded);
 * `search` takes no filters, so while searching the filters narrow its results here.
 */
export function CasesPage() {
  const { t, code, lang, dict } = useI18n();
  const { viewer, agencies } = useSession();
  const [agency, setAgency] = useState('');
  const [kind, setKind] = useState('');
  const [status, setStatus] = useState('OPEN');
  const [search, setSearch] = useState('');
  const text = usePaused(search.trim());
  const list = useConnection<CaseRow>(
    text ? SEARCH : CASES,
    text ? { text } : { agency: agency || null, kind: kind || null, status: status || null },
    (d: { cases?: never; search?: never }) => d.search ?? d.cases!,
    200,
  );
  const shown = text
    ? list.nodes.filter((c) => (!kind || c.kind === kind) && (!status || c.status === status) && (!agency || (c.agencies ?? []).some((a) => a.id === agency)))
    : list.nodes;
  return (
    <Page title={t('casesTitle')}>
      <form class="filters card" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('search')}>
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </Field>
        {seesAll(viewer) && <AgencySelect label={t('agency')} value={agency} onChange={setAgency} agencies={agencies} allowAll />}
        <Field label={t('kind')}>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            {codes('kind').map((k) => (
              <option key={k} value={k}>
                {code('kind', k)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('status')}>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">{t('all')}</option>
            <option value="OPEN">{dict.caseStatus['OPEN']}</option>
            <option value="CLOSED">{dict.caseStatus['CLOSED']}</option>
          </select>
        </Field>
      </form>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      <p class="muted" role="status">
        {t('shown')} {shown.length} / {list.totalCount}
      </p>
      <table class="data">
        <thead>
          <tr>
            <th scope="col">{t('caseNumber')}</th>
            <th scope="col">{t('title')}</th>
            <th scope="col">{t('kind')}</th>
            <th scope="col">{t('registeredBy')}</th>
            <th scope="col">{t('registeredAt')}</th>
            <th scope="col">{t('status')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => {
            const overdue = c.handoffs.some((h) => h.overdue) || c.deadlines.some((d) => d.overdue);
            return (
              <tr key={c.id} class={overdue ? 'row-overdue' : undefined}>
                <td class="nowrap">{c.caseNumber ?? c.id}</td>
                <td>
                  <CaseLink id={c.id} title={c.title} /> {c.major && <Badge tone="danger">{t('major')}</Badge>}
                </td>
                <td>{code('kind', c.kind)}</td>
                <td>{c.registeredBy.name}</td>
                <td class="nowrap">{dateTime(c.registeredAt, lang)}</td>
                <td>
                  {dict.caseStatus[c.status] ?? c.status} {overdue && <Badge tone="danger">{t('overdue')}</Badge>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {list.hasNextPage && (
        <button type="button" class="link" onClick={list.loadMore} disabled={list.loading}>
          {t('loadMore')}
        </button>
      )}
    </Page>
  );
}
