import { badInput } from '../context.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw badInput(`first 应为 0–${MAX_PAGE} 的整数`);
  return first;
}

/** Opaque cursors: base64url of an offset key, so clients cannot depend on the format. */
export const encodeCursor = (key: string): string => Buffer.from(`c:${key}`, 'utf8').toString('base64url');
export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('c:')) throw badInput('after 游标无效，请使用上一页返回的 endCursor');
  return text.slice(2);
}

/** Page an in-memory list sorted by `keyOf`. */
export function paginate<T>(all: readonly T[], keyOf: (t: T) => string, first: number | null | undefined, after: string | null | undefined) {
  const size = pageSize(first);
  const afterKey = decodeCursor(after);
  const start = afterKey === null ? 0 : all.findIndex((t) => keyOf(t) > afterKey);
  const from = start < 0 ? all.length : start;
  const nodes = all.slice(from, from + size);
  const last = nodes[nodes.length - 1];
  return {
    totalCount: all.length,
    nodes,
    pageInfo: { endCursor: last ? encodeCursor(keyOf(last)) : null, hasNextPage: from + size < all.length },
  };
}
