/**
 * 社区矫正 monitoring (issue 16, console): every community-correction case the caller may see, with its state now —
 * 脱管 first, then 报到逾期 (漏管风险), then those awaiting their 报到, then those under supervision. Read from the
 * scorecard's per-case 社区矫正 documents (projections/scorecard, `cc:<caseId>`), judged by the same domain rules as
 * the attention list and the scorecard columns (domain/cases/correction.ts), so the three never disagree.
 */
import { correctionAbsconded, correctionAgency, correctionClockStart, correctionUnreported } from '../../domain/catalog/index.js';
import type { IsoDate } from '../../domain/deadlines/index.js';
import { agencyWithUnits } from '../../domain/shared/agencies.js';
import { SCORECARD_R2, type ScorecardCorrectionDoc } from '../../projections/scorecard/scorecard.projection.js';
import { agencyOf, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { visibilityOf } from '../readSide/visibility.js';
import type { CaseView } from './cases.js';

export type CorrectionStatus = 'ABSCONDED' | 'UNREPORTED' | 'AWAITING_REPORT' | 'SUPERVISED';
const ORDER: Record<CorrectionStatus, number> = { ABSCONDED: 0, UNREPORTED: 1, AWAITING_REPORT: 2, SUPERVISED: 3 };

export interface CommunityCorrectionView {
  case: CaseView;
  doc: ScorecardCorrectionDoc;
  status: CorrectionStatus;
}

/** the state now: 脱管 outranks an overdue 报到 (a person who absconded had reported) */
export function correctionStatus(doc: ScorecardCorrectionDoc, today: IsoDate): CorrectionStatus {
  if (correctionAbsconded(doc.facts)) return 'ABSCONDED';
  if (correctionUnreported(doc.reportDue, today)) return 'UNREPORTED';
  return doc.facts.reportedAt === null ? 'AWAITING_REPORT' : 'SUPERVISED';
}

const CORRECTION_DOC = 'cc:';
const latestJudgment = (doc: ScorecardCorrectionDoc) => Object.values(doc.facts.judgments).sort((a, b) => Date.parse(b.issuedAt) - Date.parse(a.issuedAt))[0] ?? null;

export const correctionResolvers = {
  Query: {
    async communityCorrections(_: unknown, args: { agency?: string | null }, ctx: GatewayContext): Promise<CommunityCorrectionView[]> {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const ids = (await rm.listIds(SCORECARD_R2)).filter((id) => id.startsWith(CORRECTION_DOC));
      const docs = (await rm.getMany<ScorecardCorrectionDoc>(SCORECARD_R2, ids)).filter((d): d is ScorecardCorrectionDoc => d !== null && correctionAgency(d.facts) !== null);
      // `agency`: the supervising agency or one of its units (a 司法所 under its 司法局)
      const wanted = args.agency ? new Set(agencyWithUnits(ctx.services.agencies, args.agency)) : null;
      const visibility = visibilityOf(ctx);
      const out: CommunityCorrectionView[] = [];
      for (const doc of docs) {
        if (wanted && !wanted.has(correctionAgency(doc.facts)!)) continue;
        const caseDoc = visibility.caseDoc(await ctx.loaders.caseDoc.load(doc.caseId));
        if (!caseDoc) continue;
        out.push({ case: { doc: caseDoc, asOf: null }, doc, status: correctionStatus(doc, ctx.today) });
      }
      const dueOf = (v: CommunityCorrectionView) => v.doc.reportDue ?? '9999-12-31';
      return out.sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.doc.facts.abscondedAt ?? '').localeCompare(b.doc.facts.abscondedAt ?? '') || dueOf(a).localeCompare(dueOf(b)) || a.doc.caseId.localeCompare(b.doc.caseId));
    },
  },
  CommunityCorrection: {
    case: (v: CommunityCorrectionView) => v.case,
    status: (v: CommunityCorrectionView) => v.status,
    agency: (v: CommunityCorrectionView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, correctionAgency(v.doc.facts)!),
    effectiveDate: (v: CommunityCorrectionView) => {
      const judgment = latestJudgment(v.doc);
      return judgment ? correctionClockStart(judgment) : null;
    },
    deliveredAt: (v: CommunityCorrectionView) => v.doc.facts.delivery?.requestedAt ?? null,
    reportDueDate: (v: CommunityCorrectionView) => v.doc.reportDue,
    reportedAt: (v: CommunityCorrectionView) => v.doc.facts.reportedAt,
    abscondedAt: (v: CommunityCorrectionView) => v.doc.facts.abscondedAt,
  },
};
