import type { Agency } from '../../domain/shared/agencies.js';
import { ROW_INDEX, SCORECARD, scorecardBounds, type ScorecardCounts } from '../../projections/scorecard/scorecard.projection.js';
import { badInput, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import { revision2Columns } from './scorecardRevision2.js';
import { disputeScorecardRow } from './disputeScorecard.js';

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * 季通报: one row per 行政机关, counted exactly as graphql.md's AgencyScorecard comments say — each column one range
 * count over the scorecard projection (projections/scorecard); today only cuts the range of `handoffsOverdue`.
 */
async function scorecardOf(ctx: GatewayContext, agency: Agency, quarter: string) {
  const rm = ctx.services.readModels;
  const bounds = Object.entries(scorecardBounds(agency.id, quarter, ctx.today));
  const counts = await Promise.all(bounds.map(([, b]) => rm.countRange(SCORECARD, ROW_INDEX, b)));
  const c = Object.fromEntries(bounds.map(([column], i) => [column, counts[i]!])) as ScorecardCounts;
  // revision 2: legal disputes of state organs and rectifications (their own read model)
  const disputes = await disputeScorecardRow(rm, agency.id, quarter, ctx.today);
  return {
    agency,
    quarter,
    ...c,
    ...(await revision2Columns(ctx, agency, quarter)),
    ...disputes,
    lossRate: rate(c.litigationLost, c.litigationConcluded),
    headAppearanceRate: rate(c.headAppearances, c.hearingsHeld),
    correctionRate: rate(c.reconsiderationsCorrected, c.reconsiderationsDecided),
  };
}

export const scorecardResolvers = {
  Query: {
    async scorecard(_: unknown, args: { quarter: string; agency?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      if (!/^\d{4}Q[1-4]$/.test(args.quarter)) throw badInput('quarter 格式应为 YYYYQn，如 2024Q3');
      // graphql.md revision 2: with `agency`, that agency's row whatever its kind; without, every government agency
      let agencies = [...ctx.services.agencies.values()];
      agencies = args.agency ? agencies.filter((a) => a.id === args.agency) : agencies.filter((a) => a.kind === 'government');
      const visibility = visibilityOf(ctx);
      agencies = agencies.filter((a) => visibility.agencyRow(a.id));
      return Promise.all(agencies.map((a) => scorecardOf(ctx, a, args.quarter)));
    },
  },
};
