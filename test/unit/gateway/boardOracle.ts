import { CASES, CaseIndex, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { badInput, READ_ROLES, requireRole, type GatewayContext } from '../../../gateway/context.js';
import { handoffOverdue, type HandoffView } from '../../../gateway/readSide/views.js';
import { handoffViews, wholeCases, type WholeCaseDoc } from './wholeCases.js';
import { visibilityOf } from '../../../gateway/readSide/visibility.js';
import { decodeCursor, encodeCursor, pageSize } from '../../../gateway/resolvers/pagination.js';
import type { HandoffArgs } from '../../../gateway/resolvers/handoffs.js';


/** Candidate cases first (by index), then the handoffs of those cases that match every filter. */
async function candidateCases(ctx: GatewayContext, args: HandoffArgs): Promise<WholeCaseDoc[]> {
  const rm = ctx.services.readModels;
  const ids = args.toAgency
    ? await rm.findIds(CASES, CaseIndex.handoffTo, args.toAgency)
    : args.fromAgency
      ? await rm.findIds(CASES, CaseIndex.handoffFrom, args.fromAgency)
      : await rm.findIds(CASES, CaseIndex.has, 'handoffs');
  return wholeCases(ctx, (await ctx.loaders.caseDoc.loadMany(ids)).filter((d): d is CaseDoc => !!d && !(d instanceof Error)));
}

/**
 * One handoff on the board, with its place in the board's order as a tuple — cheap to compare for every handoff
 * of the city; the cursor's text key is built only for the handoffs on the page.
 */
interface BoardEntry {
  view: HandoffView;
  rank: number;
  due: string;
  requested: number;
  /** `${caseId}/${handoffId}`, built the first time a tie needs it */
  id?: string;
}

/** The board as it was computed before the handoffBoard projection (commit 58403b7): folding case documents. */
export const oldBoardResolvers = {
  Query: {
    async handoffs(_: unknown, args: HandoffArgs, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const visibility = visibilityOf(ctx);
      const size = pageSize(args.first);
      const after = cursorEntry(decodeCursor(args.after));
      // one pass over every candidate handoff: count what matches, and keep the page's `first` smallest after
      // the cursor (n·log first) instead of sorting the whole city's board; same page as sorting all of them
      let totalCount = 0;
      let rest = 0;
      const page: BoardEntry[] = [];
      for (const doc of await candidateCases(ctx, args)) {
        for (const view of handoffViews(doc, ctx.today)) {
          const h = view.handoff;
          if (!visibility.handoff(h)) continue;
          if ((args.toAgency && h.to !== args.toAgency) || (args.fromAgency && h.from !== args.fromAgency)) continue;
          if ((args.status && h.status !== args.status) || (args.purpose && h.purpose !== args.purpose)) continue;
          const overdue = handoffOverdue(view);
          if (args.overdue !== null && args.overdue !== undefined && overdue !== args.overdue) continue;
          totalCount += 1;
          const entry: BoardEntry = { view, rank: overdue ? 0 : ENDED.has(h.status) ? 2 : 1, due: view.deadline?.dueDate ?? UNDATED, requested: Date.parse(h.requestedAt) };
          if (after && compareEntries(entry, after) <= 0) continue;
          rest += 1;
          keepSmallest(page, entry, size);
        }
      }
      const last = page[page.length - 1];
      return {
        totalCount,
        nodes: page.map((entry) => entry.view),
        pageInfo: { endCursor: last ? encodeCursor(keyOf(last)) : null, hasNextPage: rest > size },
      };
    },
  },
};

const ENDED = new Set(['COMPLETED', 'RETURNED', 'WITHDRAWN']);
const UNDATED = '9999-99-99';

/**
 * The board's order: overdue first, then the other open handoffs, then the ended ones (completed, returned,
 * withdrawn — an old completed handoff must not push today's overdue ones down); within each, earliest due
 * first, undated last, then by request time, then by case and handoff id. The cursor is the text key
 * `rank|due|requestedAt (UTC ISO)|caseId/handoffId`, whose fixed-width fields make text order the same order.
 */
const idOf = (entry: BoardEntry): string => (entry.id ??= `${entry.view.caseId}/${entry.view.handoff.id}`);
const keyOf = (entry: BoardEntry): string => `${entry.rank}|${entry.due}|${new Date(entry.requested).toISOString()}|${idOf(entry)}`;

function compareEntries(a: BoardEntry, b: BoardEntry): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.due !== b.due) return a.due < b.due ? -1 : 1;
  if (a.requested !== b.requested) return a.requested - b.requested;
  const x = idOf(a);
  const y = idOf(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** the cursor's key back as an entry to compare with (its view is never read) */
function cursorEntry(key: string | null): BoardEntry | null {
  if (key === null) return null;
  const match = /^([0-2])\|([^|]{10})\|([^|]+)\|(.*)$/s.exec(key);
  const requested = match ? Date.parse(match[3]!) : NaN;
  if (!match || Number.isNaN(requested)) throw badInput('after 游标无效，请使用上一页返回的 endCursor');
  return { view: undefined as never, rank: Number(match[1]), due: match[2]!, requested, id: match[4]! };
}

/** inserts `entry` into `kept` (ascending, at most `k` long) if it is among the `k` smallest so far */
function keepSmallest(kept: BoardEntry[], entry: BoardEntry, k: number): void {
  if (kept.length === k && (k === 0 || compareEntries(entry, kept[k - 1]!) >= 0)) return;
  let low = 0;
  let high = kept.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareEntries(kept[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  kept.splice(low, 0, entry);
  if (kept.length > k) kept.pop();
}
