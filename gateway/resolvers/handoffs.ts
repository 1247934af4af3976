import { CASES, CaseIndex, type CaseDoc } from '../../projections/cases/cases.projection.js';
import { READ_ROLES, requireRole, seesAll, type GatewayContext } from '../context.js';
import { handoffOverdue, handoffViews, type HandoffView } from '../readSide/views.js';
import { decodeCursor, encodeCursor, pageSize } from './pagination.js';

interface HandoffArgs {
  toAgency?: string | null;
  fromAgency?: string | null;
  status?: string | null;
  overdue?: boolean | null;
  purpose?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Candidate cases first (by index), then the handoffs of those cases that match every filter. */
async function candidateCases(ctx: GatewayContext, args: HandoffArgs): Promise<CaseDoc[]> {
  const rm = ctx.services.readModels;
  const ids = args.toAgency
    ? await rm.findIds(CASES, CaseIndex.handoffTo, args.toAgency)
    : args.fromAgency
      ? await rm.findIds(CASES, CaseIndex.handoffFrom, args.fromAgency)
      : await rm.findIds(CASES, CaseIndex.has, 'handoffs');
  return (await ctx.loaders.caseDoc.loadMany(ids)).filter((d): d is CaseDoc => !!d && !(d instanceof Error));
}

export const handoffResolvers = {
  Query: {
    async handoffs(_: unknown, args: HandoffArgs, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const own = seesAll(ctx) ? null : ctx.principal.agency.id;
      const views = (await candidateCases(ctx, args)).flatMap((doc) => handoffViews(doc, ctx.today));
      const matching = views
        .filter(
          (v) =>
            (!own || v.handoff.from === own || v.handoff.to === own) &&
            (!args.toAgency || v.handoff.to === args.toAgency) &&
            (!args.fromAgency || v.handoff.from === args.fromAgency) &&
            (!args.status || v.handoff.status === args.status) &&
            (!args.purpose || v.handoff.purpose === args.purpose) &&
            (args.overdue === null || args.overdue === undefined || handoffOverdue(v) === args.overdue),
        )
        .map((view) => ({ view, key: sortKey(view) }));
      // one page of a board that can hold every handoff of the city: the `first` smallest keys after the
      // cursor are picked out (n·log first) instead of sorting all of them; same page as paginate() on the
      // sorted list
      const size = pageSize(args.first);
      const afterKey = decodeCursor(args.after);
      const rest = afterKey === null ? matching : matching.filter((m) => m.key > afterKey);
      const nodes = smallest(rest, size);
      const last = nodes[nodes.length - 1];
      return {
        totalCount: matching.length,
        nodes: nodes.map((m) => m.view),
        pageInfo: { endCursor: last ? encodeCursor(last.key) : null, hasNextPage: rest.length > size },
      };
    },
  },
};

const ENDED = new Set(['COMPLETED', 'RETURNED', 'WITHDRAWN']);

/**
 * The board's order: overdue first, then the other open handoffs, then the ended ones (completed, returned,
 * withdrawn — an old completed handoff must not push today's overdue ones down); within each, earliest due
 * first, undated last, then by request time.
 */
const sortKey = (v: HandoffView): string => {
  const rank = handoffOverdue(v) ? 0 : ENDED.has(v.handoff.status) ? 2 : 1;
  return `${rank}|${v.deadline?.dueDate ?? '9999-99-99'}|${new Date(v.handoff.requestedAt).toISOString()}|${v.caseId}/${v.handoff.id}`;
};

/** the `k` entries with the smallest keys, ascending (keys are unique: they end with case and handoff id) */
function smallest<T extends { key: string }>(entries: readonly T[], k: number): T[] {
  const kept: T[] = [];
  for (const entry of entries) {
    if (kept.length === k && (k === 0 || entry.key >= kept[k - 1]!.key)) continue;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (kept[middle]!.key < entry.key) low = middle + 1;
      else high = middle;
    }
    kept.splice(low, 0, entry);
    if (kept.length > k) kept.pop();
  }
  return kept;
}
