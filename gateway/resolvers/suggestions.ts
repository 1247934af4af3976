import { caseIdOfNotice } from '../../domain/catalog/index.js';
import { acknowledgeNoticeRequest } from '../../application/requests.js';
import { CASES, CaseIndex, type CaseDoc } from '../../projections/cases/cases.projection.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import {
  noticeAcknowledged,
  noticeDueDate,
  noticeOverdue,
  noticeViews,
  suggestionOverdue,
  suggestionViews,
  type NoticeView,
  type SuggestionView,
} from '../readSide/views.js';
import { visibilityOf } from '../readSide/visibility.js';
import { actorOf, runCommand } from './commands.js';

const load = async (ctx: GatewayContext, index: string, value: string): Promise<CaseDoc[]> =>
  (await ctx.loaders.caseDoc.loadMany(await ctx.services.readModels.findIds(CASES, index, value))).filter((d): d is CaseDoc => !!d && !(d instanceof Error));

export const suggestionResolvers = {
  Query: {
    async suggestions(_: unknown, args: { toAgency?: string | null; overdue?: boolean | null }, ctx: GatewayContext): Promise<SuggestionView[]> {
      requireRole(ctx, ...READ_ROLES);
      const visibility = visibilityOf(ctx);
      const docs = args.toAgency ? await load(ctx, CaseIndex.suggestionTo, args.toAgency) : await load(ctx, CaseIndex.has, 'suggestions');
      return docs
        .flatMap((d) => suggestionViews(d, ctx.today))
        .filter(
          (v) =>
            visibility.suggestion(v.suggestion) &&
            (!args.toAgency || v.suggestion.to === args.toAgency) &&
            (args.overdue === null || args.overdue === undefined || suggestionOverdue(v) === args.overdue),
        )
        .sort((a, b) => a.suggestion.issuedAt.localeCompare(b.suggestion.issuedAt));
    },
    async copyNotices(_: unknown, args: { agency?: string | null; acknowledged?: boolean | null }, ctx: GatewayContext): Promise<NoticeView[]> {
      requireRole(ctx, ...READ_ROLES);
      const visibility = visibilityOf(ctx);
      // a viewer's notices are those addressed to it: start from its own recipient index
      const recipient = args.agency ?? visibility.agency;
      const docs = recipient ? await load(ctx, CaseIndex.noticeRecipient, recipient) : await load(ctx, CaseIndex.has, 'notices');
      return docs
        .flatMap((d) => noticeViews(d, ctx.today))
        .filter(
          (v) =>
            visibility.notice(v.notice) &&
            (!args.agency || v.notice.recipients.includes(args.agency)) &&
            (args.acknowledged === null ||
              args.acknowledged === undefined ||
              // with an agency: has that agency acknowledged; without: have all recipients
              (args.agency ? v.notice.acknowledgements[args.agency] !== undefined : noticeAcknowledged(v)) === args.acknowledged),
        )
        .sort((a, b) => a.notice.issuedAt.localeCompare(b.notice.issuedAt));
    },
  },
  Mutation: {
    async acknowledgeNotice(_: unknown, args: { id: string }, ctx: GatewayContext): Promise<NoticeView> {
      // people acknowledge through GraphQL (viewer or organizer of a recipient); auditors change nothing
      requireRole(ctx, 'viewer', 'organizer');
      const caseId = caseIdOfNotice(args.id);
      if (!caseId) throw badInput(`抄告编号「${args.id}」格式不正确`);
      const doc = await ctx.loaders.caseDoc.load(caseId);
      const notice = doc?.state.copyNotices[args.id];
      if (!doc || !notice) throw badInput(`没有编号为「${args.id}」的抄告`);
      if (!notice.recipients.includes(ctx.principal.agency.id)) throw forbidden(`${ctx.principal.agency.name} 不是该抄告的接收机关`);
      const now = ctx.services.now().toISOString();
      await runCommand(ctx, acknowledgeNoticeRequest(actorOf(ctx), ctx.services.agencies, now, caseId, args.id));
      ctx.loaders.caseDoc.clear(caseId);
      const fresh = (await ctx.loaders.caseDoc.load(caseId))!;
      return noticeViews(fresh, ctx.today).find((v) => v.notice.id === args.id)!;
    },
  },
  Suggestion: {
    id: (v: SuggestionView) => v.suggestion.id,
    caseId: (v: SuggestionView) => v.caseId,
    category: (v: SuggestionView) => v.suggestion.category,
    from: (v: SuggestionView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.suggestion.from),
    to: (v: SuggestionView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.suggestion.to),
    summary: (v: SuggestionView) => v.suggestion.summary,
    issuedAt: (v: SuggestionView) => v.suggestion.issuedAt,
    dueDate: (v: SuggestionView) => v.deadline?.dueDate ?? null,
    overdue: (v: SuggestionView) => suggestionOverdue(v),
    repliedAt: (v: SuggestionView) => v.suggestion.repliedAt,
    adopted: (v: SuggestionView) => v.suggestion.adopted,
  },
  CopyNotice: {
    id: (v: NoticeView) => v.notice.id,
    caseId: (v: NoticeView) => v.caseId,
    reason: (v: NoticeView) => v.notice.reason,
    issuedAt: (v: NoticeView) => v.notice.issuedAt,
    recipients: (v: NoticeView, _: unknown, ctx: GatewayContext) => v.notice.recipients.map((id) => agencyOf(ctx, id)),
    acknowledgedBy: (v: NoticeView, _: unknown, ctx: GatewayContext) =>
      v.notice.recipients.filter((id) => v.notice.acknowledgements[id] !== undefined).map((id) => agencyOf(ctx, id)),
    dueDate: (v: NoticeView) => noticeDueDate(v),
    overdue: (v: NoticeView) => noticeOverdue(v),
  },
};
