import { chinaDate, quarterOf } from '../../../domain/deadlines/index.js';
import { handoffClockStart, handoffOverdue } from '../../../domain/catalog/index.js';
import type { Agency } from '../../../domain/shared/agencies.js';
import { CASES, CaseIndex, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { badInput, READ_ROLES, requireRole, type GatewayContext } from '../../../gateway/context.js';
import { wholeCases, type WholeCaseDoc } from './wholeCases.js';
import { visibilityOf } from '../../../gateway/readSide/visibility.js';

/*
 * The scorecard as it was computed before the scorecard projection (gateway/resolvers/scorecard.ts as of commit
 * 7adcb66): loading every case document of the agency and folding its judgments, hearings, reconsiderations,
 * suggestions and handoffs at query time. Kept only as the oracle of scorecardEquivalence.spec.ts. The read-side
 * view helpers it used (gateway/readSide/views.ts) are inlined as they were, so that later changes to them cannot
 * move the oracle.
 */

const inQuarter = (time: string | null | undefined, quarter: string): boolean => !!time && quarterOf(chinaDate(time)) === quarter;
const handoffViews = (doc: WholeCaseDoc) =>
  Object.values(doc.state.handoffs).map((handoff) => ({ handoff, deadline: doc.handoffDeadlines[handoff.id] ?? null }));
const suggestionViews = (doc: CaseDoc) =>
  Object.values(doc.state.suggestions).map((suggestion) => ({ suggestion, deadline: doc.deadlines.find((d) => d.name === `suggestion_reply:${suggestion.id}`) }));

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

async function scorecardOf(ctx: GatewayContext, agency: Agency, quarter: string) {
  const rm = ctx.services.readModels;
  const load = async (index: string) =>
    (await ctx.loaders.caseDoc.loadMany(await rm.findIds(CASES, index, agency.id))).filter((d): d is CaseDoc => !!d && !(d instanceof Error));
  const [asDefendant, handoffCases, suggestionCases] = await Promise.all([load(CaseIndex.defendant), load(CaseIndex.handoffTo).then((docs) => wholeCases(ctx, docs)), load(CaseIndex.suggestionTo)]);

  const litigation = asDefendant.filter((d) => d.state.kind === 'administrative_litigation');
  const judgments = litigation.flatMap((d) => Object.values(d.state.judgments)).filter((j) => inQuarter(j.issuedAt, quarter));
  const hearings = litigation.flatMap((d) => Object.values(d.state.hearings)).filter((h) => h.held && inQuarter(h.heldAt, quarter));
  const decisions = asDefendant.flatMap((d) => (d.state.reconsideration && inQuarter(d.state.reconsideration.decidedAt, quarter) ? [d.state.reconsideration] : []));
  const suggestions = suggestionCases.flatMap((d) => suggestionViews(d)).filter((v) => v.suggestion.to === agency.id && inQuarter(v.suggestion.issuedAt, quarter));
  const handoffs = handoffCases
    .flatMap((d) => handoffViews(d))
    .filter((v) => v.handoff.to === agency.id && inQuarter(handoffClockStart(v.handoff, ctx.services.deadlines.policy), quarter));
  const late = (metAt: string | null, dueDate: string | undefined) => !!metAt && !!dueDate && chinaDate(metAt) > dueDate;
  const onTime = (metAt: string | null, dueDate: string | undefined) => !!metAt && !!dueDate && chinaDate(metAt) <= dueDate;

  const litigationConcluded = judgments.length;
  const litigationLost = judgments.filter((j) => j.outcome === 'agency_lost').length;
  const hearingsHeld = hearings.length;
  const headAppearances = hearings.filter((h) => h.agencyHeadAppeared === true).length;
  const reconsiderationsDecided = decisions.length;
  const reconsiderationsCorrected = decisions.filter((r) => r.corrective).length;
  return {
    agency,
    quarter,
    litigationConcluded,
    litigationLost,
    lossRate: rate(litigationLost, litigationConcluded),
    hearingsHeld,
    headAppearances,
    headAppearanceRate: rate(headAppearances, hearingsHeld),
    reconsiderationsDecided,
    reconsiderationsCorrected,
    correctionRate: rate(reconsiderationsCorrected, reconsiderationsDecided),
    suggestionsReceived: suggestions.length,
    suggestionsRepliedOnTime: suggestions.filter((v) =>
      // a reply before any receipt was recorded came before its clock could run out (docs/decisions.md)
      v.deadline == null ? v.suggestion.repliedAt !== null : onTime(v.suggestion.repliedAt, v.deadline.dueDate ?? undefined),
    ).length,
    handoffsReceived: handoffs.length,
    handoffsCompletedOnTime: handoffs.filter((v) => onTime(v.deadline?.metAt ?? null, v.deadline?.dueDate)).length,
    handoffsOverdue: handoffs.filter((v) => handoffOverdue(v.deadline, ctx.today) || late(v.deadline?.metAt ?? null, v.deadline?.dueDate)).length,
  };
}

export const oldScorecardResolvers = {
  Query: {
    async scorecard(_: unknown, args: { quarter: string; agency?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      if (!/^\d{4}Q[1-4]$/.test(args.quarter)) throw badInput('quarter 格式应为 YYYYQn，如 2024Q3');
      let agencies = [...ctx.services.agencies.values()].filter((a) => a.kind === 'government');
      if (args.agency) agencies = agencies.filter((a) => a.id === args.agency);
      const visibility = visibilityOf(ctx);
      agencies = agencies.filter((a) => visibility.agencyRow(a.id));
      return Promise.all(agencies.map((a) => scorecardOf(ctx, a, args.quarter)));
    },
  },
};
