import { CASES, CaseIndex, type CaseDoc } from '../../projections/cases/cases.projection.js';
import { READ_ROLES, requireRole, seesAll, type GatewayContext } from '../context.js';
import { handoffOverdue, handoffViews, type HandoffView } from '../readSide/views.js';
import { paginate } from './pagination.js';

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
        // each view's key once, not twice per comparison (a board of 100,000 handoffs compares ~1.7M times)
        .map((view) => ({ view, key: sortKey(view) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      const page = paginate(matching, (m) => m.key, args.first, args.after);
      return { ...page, nodes: page.nodes.map((m) => m.view) };
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
