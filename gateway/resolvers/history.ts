import { canonicalJson } from '../../ports/canonicalJson.js';
import type { EventStore, RecordedEvent } from '../../ports/eventStore.js';
import { nestingDepth } from '../../domain/catalog/nesting.js';
import type { AccessRecord } from '../../ports/accessLog.js';
import { agencyOf, badInput, requireRole, type GatewayContext } from '../context.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';
import { GraphQLError } from 'graphql';

/**
 * The auditors' view (graphql.md; docs/audit.md): history(stream) hands out the events with the hash chain
 * the store wrote at append time, never a recomputed one, so what an auditor checks is what is stored;
 * auditVerify runs the verifier over the store; accessLog reads the access log. All auditor-only.
 */
export const historyResolvers = {
  Query: {
    async history(_: unknown, args: { stream: string; first?: number | null; after?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, 'auditor');
      const size = pageSize(args.first);
      const after = decodeCursor(args.after);
      const fromRevision = after === null ? 0 : Number(after) + 1;
      if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw badInput('after 游标无效，请使用上一页返回的 endCursor');
      const events = size === 0 ? [] : await ctx.services.events.readStream(args.stream, { fromRevision, maxCount: size + 1 });
      const nodes = events.slice(0, size);
      const last = nodes.at(-1);
      return {
        // counted only when asked for, without reading the stream
        totalCount: () => streamLength(ctx.services.events, args.stream),
        nodes,
        pageInfo: { endCursor: last ? revisionCursor(last.revision) : (args.after ?? null), hasNextPage: events.length > size },
      };
    },
    async auditVerify(_: unknown, args: { stream?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, 'auditor');
      if (!ctx.services.audit) throw new GraphQLError('本进程未配置审计校验（没有可信的检查点公钥）', { extensions: { code: 'NOT_IMPLEMENTED' } });
      const report = await ctx.services.audit.verify(args.stream ? { stream: args.stream } : {});
      return { ok: report.ok, checked: report.checked, firstBrokenPosition: report.firstBrokenPosition?.toString() ?? null, detail: report.detail };
    },
    async accessLog(_: unknown, args: { first?: number | null; after?: string | null; principal?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, 'auditor');
      if (!ctx.services.accessLog) throw new GraphQLError('本进程不保存访问日志', { extensions: { code: 'NOT_IMPLEMENTED' } });
      const page = await ctx.services.accessLog
        .list({ first: pageSize(args.first), ...(args.after ? { after: args.after } : {}), ...(args.principal ? { principal: args.principal } : {}) })
        .catch((e: Error) => {
          throw e.name === 'InvalidCursorError' ? badInput('after 游标无效，请使用上一页返回的 endCursor') : e;
        });
      return { totalCount: page.totalCount, nodes: page.nodes, pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
    },
  },
  StoredEvent: {
    position: (e: RecordedEvent) => e.position.toString(),
    time: (e: RecordedEvent) => e.metadata.time,
    source: (e: RecordedEvent) => e.metadata.source,
    principal: (e: RecordedEvent) => e.metadata.principal,
    channel: (e: RecordedEvent) => e.metadata.channel,
    data: (e: RecordedEvent) => readable(e.data),
    metadata: (e: RecordedEvent) => readable(e.metadata),
  },
  AccessLogEntry: {
    agency: (entry: AccessRecord, _: unknown, ctx: GatewayContext) => (entry.agencyId ? agencyOf(ctx, entry.agencyId) : null),
  },
};

/**
 * Stored data or metadata nesting deeper than this many levels is handed out as its canonical JSON text (a JSON
 * string, where the value is otherwise always an object) instead of as a value. Ingest refuses events nesting more
 * than 32 levels (events.md §2; metadata adds two around an extension), but a store may hold deeper ones written
 * before that check: serialising the answer (JSON.stringify recurses) would overflow the stack at a few thousand
 * levels and fail the whole page. The text is what the hash was computed over (canonicalJson.ts, no recursion),
 * so the auditor can still check it.
 */
export const READABLE_NESTING_DEPTH = 64;

const readable = (value: object): unknown =>
  nestingDepth(value, READABLE_NESTING_DEPTH) > READABLE_NESTING_DEPTH ? canonicalJson(value) : value;

const revisionCursor = (revision: number): string => encodeCursor(String(revision).padStart(12, '0'));

/** revisions are 0, 1, 2, …: the length is found with a few one-event reads (exponential, then binary search) */
async function streamLength(events: EventStore, streamId: string): Promise<number> {
  const exists = async (revision: number): Promise<boolean> => (await events.readStream(streamId, { fromRevision: revision, maxCount: 1 })).length > 0;
  if (!(await exists(0))) return 0;
  let low = 0; // exists
  let high = 1;
  while (await exists(high)) {
    low = high;
    high *= 2;
  }
  // low exists, high does not
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await exists(middle)) low = middle;
    else high = middle;
  }
  return low + 1;
}
