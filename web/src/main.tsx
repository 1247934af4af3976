import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql, GraphqlError, onUnauthorized, session } from './api';
import { I18nContext, makeI18n, useI18n, type Lang } from './i18n';
import { AGENCY, isAuditor, isReader, seesAll, type Agency, type Viewer } from './model';
import { AuditPage } from './pages/audit';
import { CasePage } from './pages/case';
import { CasesPage } from './pages/cases';
import { CorrectionPage } from './pages/correction';
import { DisputesPage } from './pages/disputes';
import { DossierPage } from './pages/dossier';
import { LitigationSourcePage } from './pages/litigationSource';
import { MeetingsPage } from './pages/meetings';
import { ScorecardPage } from './pages/scorecard';
import { TodoPage } from './pages/todo';
import { RejectionsPage } from './pages/rejections';
import { AccessLogPage } from './pages/accessLog';
import { DueSoonPage } from './pages/dueSoon';
import { href, useRoute, type Route } from './router';
import { ErrorBox, Field, SessionContext, type SessionInfo } from './ui';
import './styles.css';

const LANG_KEY = 'liandong.lang';
const SESSION_QUERY = `{ me { name roles agency { ${AGENCY} } } agencies { ${AGENCY} } }`;

function App() {
  const [lang, setLang] = useState<Lang>(() => (localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh'));
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [restoring, setRestoring] = useState(!!session.token());

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = i18n.t('appName');
    localStorage.setItem(LANG_KEY, lang);
  }, [lang]);
  useEffect(() => onUnauthorized(() => signOut()), []);
  // a reload keeps the session of this tab
  useEffect(() => {
    const token = session.token();
    if (!token) return;
    load(token)
      .then(setInfo, () => session.signOut())
      .finally(() => setRestoring(false));
  }, []);

  const signOut = () => {
    session.signOut();
    setInfo(null);
  };

  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {i18n.t('skip')}
      </a>
      <header class="top no-print">
        <span class="brand">{i18n.t('appName')}</span>
        {info && <Nav viewer={info.viewer} />}
        <div class="top-tools">
          {info && (
            <span class="who">
              <span class="sr-only">{i18n.t('signedInAs')}：</span>
              {info.viewer.agency.name} · {info.viewer.roles.map((role) => i18n.code('role', role)).join('、')}
            </span>
          )}
          <button type="button" class="ghost" lang={lang === 'zh' ? 'en' : 'zh-CN'} aria-label={i18n.t('languageLabel')} onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {i18n.t('language')}
          </button>
          {info && (
            <button type="button" class="ghost" onClick={signOut}>
              {i18n.t('signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {restoring ? null : info ? (
          <SessionContext.Provider value={info}>
            <Routes />
          </SessionContext.Provider>
        ) : (
          <SignIn onSignedIn={setInfo} />
        )}
      </main>
    </I18nContext.Provider>
  );
}

async function load(token: string): Promise<SessionInfo> {
  const data = await gql<{ me: Viewer; agencies: Agency[] }>(SESSION_QUERY, {}, token);
  return { viewer: data.me, agencies: data.agencies };
}

function SignIn(props: { onSignedIn(info: SessionInfo): void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const info = await load(token.trim());
      if (!isReader(info.viewer)) return setError(t('publisherOnly'));
      session.signIn(token.trim());
      props.onSignedIn(info);
    } catch (err) {
      setError(err instanceof GraphqlError && err.status === 401 ? t('signInFailed') : (err as Error).message);
    }
  };
  return (
    <form class="card sign-in" onSubmit={submit} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signInTitle')}</h1>
      <p>{t('signInHelp')}</p>
      <Field label={t('token')}>
        <input type="password" autoComplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      </Field>
      <button type="submit">{t('signIn')}</button>
      {error && <ErrorBox error={new Error(error)} />}
    </form>
  );
}

type NavLabel = 'navTodo' | 'navDueSoon' | 'navMeetings' | 'navScorecard' | 'navCases' | 'navRejections' | 'navAudit' | 'navAccessLog' | 'navDisputes' | 'navCorrection' | 'navLitigationSource';
/**
 * `for`: the agency kinds whose people the page is for (organizers and auditors see every page). Only which links show:
 * what a page lists is what the GraphQL server lets the caller see.
 */
const NAV: { page: Route['page']; href: string; label: NavLabel; also?: Route['page'][]; auditor?: true; for?: Agency['kind'][] }[] = [
  { page: 'todo', href: href.todo(), label: 'navTodo' },
  { page: 'dueSoon', href: href.dueSoon(), label: 'navDueSoon' },
  { page: 'meetings', href: href.meetings(), label: 'navMeetings', also: ['meeting'] },
  { page: 'scorecard', href: href.scorecard(), label: 'navScorecard' },
  { page: 'disputes', href: href.disputes(), label: 'navDisputes', for: ['GOVERNMENT', 'JUSTICE'] },
  { page: 'correction', href: href.correction(), label: 'navCorrection', for: ['JUSTICE', 'COURT'] },
  { page: 'litigation-source', href: href.litigationSource(), label: 'navLitigationSource', for: ['COURT', 'JUSTICE', 'POLICE'] },
  { page: 'cases', href: href.cases(), label: 'navCases', also: ['case'] },
  { page: 'rejections', href: href.rejections(), label: 'navRejections' },
  { page: 'audit', href: href.audit(), label: 'navAudit', auditor: true },
  { page: 'accessLog', href: href.accessLog(), label: 'navAccessLog', auditor: true },
];

const shows = (n: (typeof NAV)[number], viewer: Viewer) => (!n.auditor || isAuditor(viewer)) && (!n.for || seesAll(viewer) || n.for.includes(viewer.agency.kind));

function Nav(props: { viewer: Viewer }) {
  const { t } = useI18n();
  const route = useRoute();
  return (
    <nav aria-label={t('navLabel')}>
      <ul>
        {NAV.filter((n) => shows(n, props.viewer)).map((n) => (
          <li key={n.page}>
            <a href={n.href} aria-current={n.page === route.page || n.also?.includes(route.page) ? 'page' : undefined}>
              {t(n.label)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Routes() {
  const route = useRoute();
  switch (route.page) {
    case 'todo':
      return <TodoPage />;
    case 'meetings':
      return <MeetingsPage />;
    case 'meeting':
      return <DossierPage id={route.id} />;
    case 'scorecard':
      return <ScorecardPage />;
    case 'disputes':
      return <DisputesPage />;
    case 'correction':
      return <CorrectionPage />;
    case 'litigation-source':
      return <LitigationSourcePage />;
    case 'cases':
      return <CasesPage />;
    case 'case':
      return <CasePage id={route.id} />;
    case 'audit':
      return <AuditPage stream={route.stream} />;
    case 'rejections':
      return <RejectionsPage />;
    case 'accessLog':
      return <AccessLogPage />;
    case 'dueSoon':
      return <DueSoonPage />;
  }
}

render(<App />, document.getElementById('app')!);
