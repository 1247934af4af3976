import {
  accountabilityReviewsOf,
  disputeFiling,
  disputeOf,
  rectificationsOf,
  type AccountabilityReview,
  type DisputeConsultation,
  type GovernmentDispute,
  type Rectification,
} from '../../domain/catalog/index.js';
import { compareDates } from '../../domain/deadlines/index.js';
import { agencyOf, type GatewayContext } from '../context.js';
import { wholeCase, type CaseParent } from './cases.js';

/**
 * Revision 2: a case's legal-dispute facts (涉党政机关、国有企业法律纠纷 备案, 会商研判, 结果与损失), its 责任倒查 and its
 * rectifications (以案促管整改) — read from the case read model (the domain's own case state), like the rest of Case.
 */
interface DisputeView {
  dispute: GovernmentDispute;
  registeredAt: string;
}
interface RectificationView {
  caseId: string;
  rectification: Rectification;
}

export const disputeResolvers = {
  Case: {
    async dispute(parent: CaseParent, _: unknown, ctx: GatewayContext): Promise<DisputeView | null> {
      const state = (await wholeCase(parent, ctx))?.doc.state;
      const dispute = state ? disputeOf(state) : null;
      return state && dispute ? { dispute, registeredAt: state.registeredAt } : null;
    },
    async accountabilityReviews(parent: CaseParent, _: unknown, ctx: GatewayContext): Promise<readonly AccountabilityReview[]> {
      const state = (await wholeCase(parent, ctx))?.doc.state;
      return state ? accountabilityReviewsOf(state) : [];
    },
    async rectifications(parent: CaseParent, _: unknown, ctx: GatewayContext): Promise<RectificationView[]> {
      const state = (await wholeCase(parent, ctx))?.doc.state;
      if (!state) return [];
      return Object.values(rectificationsOf(state))
        .sort((a, b) => Date.parse(a.orderedAt) - Date.parse(b.orderedAt))
        .map((rectification) => ({ caseId: state.id, rectification }));
    },
  },
  GovernmentDispute: {
    responsibleAgency: (v: DisputeView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.dispute.responsibleAgencyId),
    handlingUnit: (v: DisputeView) => v.dispute.handlingUnit,
    amount: (v: DisputeView) => v.dispute.amount,
    arisenAt: (v: DisputeView) => v.dispute.arisenAt,
    filingDueDate: (v: DisputeView, _: unknown, ctx: GatewayContext) => disputeFiling(v.dispute, v.registeredAt, ctx.services.deadlines)?.dueDate ?? null,
    filedLate: (v: DisputeView, _: unknown, ctx: GatewayContext) => disputeFiling(v.dispute, v.registeredAt, ctx.services.deadlines)?.late ?? null,
    consultations: (v: DisputeView) => v.dispute.consultations,
    outcome: (v: DisputeView) => v.dispute.conclusion?.outcome ?? null,
    lossAmount: (v: DisputeView) => v.dispute.conclusion?.lossAmount ?? null,
    concludedAt: (v: DisputeView) => v.dispute.conclusion?.concludedAt ?? null,
    concludedBy: (v: DisputeView, _: unknown, ctx: GatewayContext) => (v.dispute.conclusion ? agencyOf(ctx, v.dispute.conclusion.concludedBy) : null),
  },
  DisputeConsultation: {
    participants: (v: DisputeConsultation, _: unknown, ctx: GatewayContext) => v.participants.map((id) => agencyOf(ctx, id)),
    consultedBy: (v: DisputeConsultation, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.consultedBy),
  },
  AccountabilityReview: {
    agency: (v: AccountabilityReview, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.agencyId),
    reviewedBy: (v: AccountabilityReview, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.reviewedBy),
  },
  Rectification: {
    id: (v: RectificationView) => v.rectification.id,
    caseId: (v: RectificationView) => v.caseId,
    from: (v: RectificationView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.rectification.from),
    to: (v: RectificationView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.rectification.to),
    summary: (v: RectificationView) => v.rectification.summary,
    dueDate: (v: RectificationView) => v.rectification.dueDate,
    orderedAt: (v: RectificationView) => v.rectification.orderedAt,
    completedAt: (v: RectificationView) => v.rectification.completedAt,
    completionSummary: (v: RectificationView) => v.rectification.completionSummary,
    // deadlines.md: overdue the day after its dueDate while not completed
    overdue: (v: RectificationView, _: unknown, ctx: GatewayContext) => v.rectification.completedAt === null && compareDates(ctx.today, v.rectification.dueDate) > 0,
  },
};
