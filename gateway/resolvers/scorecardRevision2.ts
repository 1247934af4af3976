/**
 * The revision-2 columns of AgencyScorecard (graphql.md "Revision 2"): 负责人出庭应诉 per case, self-corrections, the
 * justice bureau's 社区矫正 state now, and the court's 诉源治理 rates. Int! columns are 0 where they do not apply; the
 * nullable ones are null where they do not apply to the agency's kind. A court's row counts its units too (a 人民法庭
 * under its 基层人民法院, by parentId — docs/decisions.md). Each count is one range count over the scorecard projection;
 * the filings are the courts' latest reports, read by id.
 */
import { agencyWithUnits, type Agency } from '../../domain/shared/agencies.js';
import { filingsDocId, SCORECARD_R2, scorecardRevision2Bounds, ROW_INDEX, type ScorecardFilingsDoc } from '../../projections/scorecard/scorecard.projection.js';
import type { GatewayContext } from '../context.js';

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

export interface Revision2Columns {
  casesHeard: number;
  casesWithHeadAppearance: number;
  headAppearanceCaseRate: number | null;
  selfCorrections: number;
  correctionsUnreported: number | null;
  correctionsAbsconded: number | null;
  preLitigationMediations: number | null;
  mediationsSucceeded: number | null;
  mediationSuccessRate: number | null;
  diversionRate: number | null;
  filingsPer10k: number | null;
}

async function counts(ctx: GatewayContext, agencyId: string, quarter: string): Promise<Record<string, number>> {
  const rm = ctx.services.readModels;
  const bounds = scorecardRevision2Bounds(agencyId, quarter, ctx.today);
  const ranges = Object.entries(bounds).flatMap(([collection, columns]) => Object.entries(columns).map(([column, b]) => ({ collection, column, b })));
  const found = await Promise.all(ranges.map(({ collection, b }) => rm.countRange(collection, ROW_INDEX, b)));
  return Object.fromEntries(ranges.map(({ column }, i) => [column, found[i]!]));
}

const sum = (rows: Record<string, number>[], column: string): number => rows.reduce((total, row) => total + (row[column] ?? 0), 0);

export async function revision2Columns(ctx: GatewayContext, agency: Agency, quarter: string): Promise<Revision2Columns> {
  const own = await counts(ctx, agency.id, quarter);
  const casesHeard = own.casesHeard!;
  const casesWithHeadAppearance = own.casesWithHeadAppearance!;
  const base = {
    casesHeard,
    casesWithHeadAppearance,
    headAppearanceCaseRate: rate(casesWithHeadAppearance, casesHeard),
    selfCorrections: own.selfCorrections!,
    correctionsUnreported: agency.kind === 'justice' ? own.correctionsUnreported! : null,
    correctionsAbsconded: agency.kind === 'justice' ? own.correctionsAbsconded! : null,
    preLitigationMediations: null,
    mediationsSucceeded: null,
    mediationSuccessRate: null,
    diversionRate: null,
    filingsPer10k: null,
  };
  if (agency.kind !== 'court') return base;
  const courts = agencyWithUnits(ctx.services.agencies, agency.id).filter((id) => ctx.services.agencies.get(id)?.kind === 'court');
  const rows = [own, ...(await Promise.all(courts.slice(1).map((id) => counts(ctx, id, quarter))))];
  const mediations = sum(rows, 'preLitigationMediations');
  const succeeded = sum(rows, 'mediationsSucceeded');
  const reports = (await ctx.services.readModels.getMany<ScorecardFilingsDoc>(SCORECARD_R2, courts.map((id) => filingsDocId(id, quarter)))).filter((d): d is ScorecardFilingsDoc => d !== null);
  const civil = reports.reduce((n, r) => n + r.civilFirstInstance, 0);
  const filed = reports.reduce((n, r) => n + r.civilFirstInstance + r.administrativeFirstInstance, 0);
  const population = ctx.services.city?.population ?? null;
  return {
    ...base,
    preLitigationMediations: mediations,
    mediationsSucceeded: succeeded,
    mediationSuccessRate: rate(succeeded, mediations),
    // without a filings report the share of disputes diverted before filing is unknown, not 100 %
    diversionRate: reports.length === 0 ? null : rate(mediations, mediations + civil),
    filingsPer10k: reports.length === 0 || population === null ? null : (filed / population) * 10_000,
  };
}
