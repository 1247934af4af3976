import { useCallback, useEffect, useState } from 'preact/hooks';

/** A GraphQL error as the gateway reports it, with its extensions.code (FORBIDDEN, BAD_USER_INPUT, …). */
export class GraphqlError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'liandong.token';
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** listeners told when the gateway answers 401 (token revoked or expired) */
const unauthorizedListeners = new Set<() => void>();
export const onUnauthorized = (listener: () => void) => {
  unauthorizedListeners.add(listener);
  return () => void unauthorizedListeners.delete(listener);
};

/** POST /graphql on the same origin with the session's token. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, token = session.token()): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | null;
  if (response.status === 401) unauthorizedListeners.forEach((l) => l());
  const first = body?.errors?.[0];
  if (first) throw new GraphqlError(first.message, first.extensions?.code, response.status);
  if (!response.ok || !body?.data) throw new GraphqlError(`HTTP ${response.status}`, undefined, response.status);
  return body.data;
}

export interface QueryState<T> {
  data: T | null;
  error: GraphqlError | null;
  loading: boolean;
  reload(): void;
}

/** Runs a query whenever its variables change; `reload` after a mutation. */
export function useQuery<T>(query: string, variables: Record<string, unknown> = {}, skip = false): QueryState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: T | null; error: GraphqlError | null; loading: boolean }>({ data: null, error: null, loading: !skip });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (skip) return;
    let current = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<T>(query, JSON.parse(key) as Record<string, unknown>).then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error: GraphqlError) => current && setState({ data: null, error, loading: false }),
    );
    return () => void (current = false);
  }, [query, key, generation, skip]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

export interface ConnectionState<T> {
  nodes: T[];
  totalCount: number;
  hasNextPage: boolean;
  error: GraphqlError | null;
  loading: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * A connection read page by page (graphql.md: `first` + opaque `after`). The query takes `$first` and
 * `$after`; `pick` finds the connection in its answer. Changing the variables starts again from the top.
 */
export function useConnection<T>(
  query: string,
  variables: Record<string, unknown>,
  pick: (data: any) => { totalCount: number; nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } },
  pageSize = 100,
): ConnectionState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState({ nodes: [] as T[], totalCount: 0, cursor: null as string | null, hasNextPage: false, error: null as GraphqlError | null, loading: true });
  const [generation, setGeneration] = useState(0);
  const fetchPage = (after: string | null, append: boolean, isCurrent: () => boolean) => {
    setState((s) => ({ ...s, loading: true, error: null }));
    gql<unknown>(query, { ...(JSON.parse(key) as Record<string, unknown>), first: pageSize, after }).then(
      (data) => {
        if (!isCurrent()) return;
        const page = pick(data);
        setState((s) => ({
          nodes: append ? [...s.nodes, ...page.nodes] : page.nodes,
          totalCount: page.totalCount,
          cursor: page.pageInfo.endCursor,
          hasNextPage: page.pageInfo.hasNextPage,
          error: null,
          loading: false,
        }));
      },
      (error: GraphqlError) => isCurrent() && setState((s) => ({ ...s, error, loading: false })),
    );
  };
  useEffect(() => {
    let current = true;
    fetchPage(null, false, () => current);
    return () => void (current = false);
  }, [query, key, generation]);
  return {
    nodes: state.nodes,
    totalCount: state.totalCount,
    hasNextPage: state.hasNextPage,
    error: state.error,
    loading: state.loading,
    loadMore: () => fetchPage(state.cursor, true, () => true),
    reload: () => setGeneration((g) => g + 1),
  };
}
