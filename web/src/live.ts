import { createClient, type Client } from 'graphql-ws/client';
import { useEffect, useRef } from 'preact/hooks';
import { session } from './api';

/**
 * Live updates (graphql.md revision 2 `Subscription`): one graphql-ws connection per signed-in session, shared by
 * every subscription on the page, to /graphql on the same origin (bundled by web/build.mjs, no CDN). A view does not
 * patch itself from the events: it asks its query again, so what it shows is always what a reload would show.
 */
let client: Client | null = null;
let clientToken: string | null = null;
/**
 * Views to refresh whenever the socket (re)connects. After a reconnect: changes published while it was down are not
 * replayed. After the first connection too: a view asks its query when it opens, but its subscription only counts
 * from when the socket is up — a change that lands between the two (a slow handshake on a busy machine takes
 * seconds) would otherwise never show.
 */
const onConnect = new Set<() => void>();

function liveClient(): Client | null {
  const token = session.token();
  if (!token) return null;
  if (client && clientToken === token) return client;
  void client?.dispose();
  clientToken = token;
  client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${session.token() ?? ''}` }),
    // a restarted gateway or a dropped network: keep trying (graphql-ws backs off by itself); a refused token
    // (4403) is final — the next query answers 401 and the console signs out
    retryAttempts: Infinity,
    shouldRetry: (event) => !(typeof event === 'object' && event !== null && 'code' in event && (event as CloseEvent).code === 4403),
    lazyCloseTimeout: 5_000,
    on: { connected: () => onConnect.forEach((refresh) => refresh()) },
  });
  return client;
}

/** several changes in a burst (one published batch touches many clocks) refresh once */
const SETTLE_MS = 250;

/**
 * Calls `refresh` when the subscription delivers (after a short settling pause), and when the socket (re)connects. Skipped
 * when `skip` holds or nobody is signed in; ends when the component goes or the variables change.
 */
export function useLive(subscription: string, variables: Record<string, unknown>, refresh: () => void, skip = false): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  const key = JSON.stringify(variables);
  useEffect(() => {
    const live = skip ? null : liveClient();
    if (!live) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const settle = () => {
      if (timer !== null) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current();
      }, SETTLE_MS);
    };
    onConnect.add(settle);
    const unsubscribe = live.subscribe(
      { query: subscription, variables: JSON.parse(key) as Record<string, unknown> },
      { next: settle, error: (error) => console.warn('实时更新订阅出错：', error), complete: () => undefined },
    );
    return () => {
      onConnect.delete(settle);
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
    };
  }, [subscription, key, skip]);
}

/** the subscriptions the pages use: only an id is asked for, the page refetches what it shows */
export const CLOCK_CHANGED = `subscription ClockChanged($agency: ID) { clockChanged(agency: $agency) { id } }`;
export const CASE_CHANGED = `subscription CaseChanged($id: ID!) { caseChanged(id: $id) { id } }`;
