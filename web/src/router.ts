import { useEffect, useState } from 'preact/hooks';

/** Hash routes (#/meetings/m-1) so the console works under any path the gateway serves it from. */
export type Route =
  | { page: 'todo' }
  | { page: 'meetings' }
  | { page: 'meeting'; id: string }
  | { page: 'scorecard' }
  | { page: 'disputes' }
  | { page: 'correction' }
  | { page: 'litigation-source' }
  | { page: 'cases' }
  | { page: 'case'; id: string }
  | { page: 'audit'; stream: string | null }
  | { page: 'rejections' }
  | { page: 'accessLog' }
  | { page: 'dueSoon' };

export function parseRoute(hash: string): Route {
  const [page = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  const id = rest.length > 0 ? decodeURIComponent(rest.join('/')) : null;
  switch (page) {
    case 'meetings':
      return id ? { page: 'meeting', id } : { page: 'meetings' };
    case 'scorecard':
      return { page: 'scorecard' };
    case 'disputes':
    case 'correction':
    case 'litigation-source':
      return { page };
    case 'cases':
      return id ? { page: 'case', id } : { page: 'cases' };
    case 'audit':
      return { page: 'audit', stream: id };
    case 'rejections':
      return { page: 'rejections' };
    case 'access-log':
      return { page: 'accessLog' };
    case 'due-soon':
      return { page: 'dueSoon' };
    default:
      return { page: 'todo' };
  }
}

export const href = {
  todo: () => '#/todo',
  meetings: () => '#/meetings',
  meeting: (id: string) => `#/meetings/${encodeURIComponent(id)}`,
  scorecard: () => '#/scorecard',
  disputes: () => '#/disputes',
  correction: () => '#/correction',
  litigationSource: () => '#/litigation-source',
  cases: () => '#/cases',
  case: (id: string) => `#/cases/${encodeURIComponent(id)}`,
  audit: (stream?: string) => (stream ? `#/audit/${encodeURIComponent(stream)}` : '#/audit'),
  rejections: () => '#/rejections',
  accessLog: () => '#/access-log',
  dueSoon: () => '#/due-soon',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
