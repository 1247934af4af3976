import { caseIdOfNotice } from '../../../domain/catalog/index.js';
import type { IsoDate } from '../../../domain/deadlines/index.js';
import { acknowledgeNoticeRequest } from '../../../application/requests.js';
import { CASES, CaseIndex, type CaseDoc } from '../../../projections/cases/cases.projection.js';
import { badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../../../gateway/context.js';
import { suggestionOverdue, suggestionViews, type NoticeView, type SuggestionView } from '../../../gateway/readSide/views.js';
import { visibilityOf } from '../../../gateway/readSide/visibility.js';
import { actorOf, runCommand } from '../../../gateway/resolvers/commands.js';

/**
 * The suggestions and copy notices as they were answered before their own projections (gateway/resolvers/
 * suggestions.ts as of commit 7adcb66): by loading whole case documents through the cases projection's indexes
 * and folding them. Kept only here, as the oracle of noticesEquivalence.spec.ts.
 */

const noticeViews = (doc: CaseDoc, today: IsoDate): NoticeView[] =>
  Object.values(doc.state.copyNotices).map((notice) => ({
    caseId: doc.state.id,
    notice,
    deadlines: doc.deadlines.filter((d) => d.name.startsWith(`notice_ack:${notice.id}:`)),
    today,
  }));

const noticeAcknowledged = (v: NoticeView): boolean => v.notice.recipients.every((r) => v.notice.acknowledgements[r] !== undefined);

const load = async (ctx: GatewayContext, index: string, value: string): Promise<CaseDoc[]> =>
  (await ctx.loaders.caseDoc.loadMany(await ctx.services.readModels.findIds(CASES, index, value))).filter((d): d is CaseDoc => !!d && !(d instanceof Error));

export const oldSuggestionResolvers = {
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
};

/** the old view of one notice, read from its case document (the mutation's answer, for comparing) */
export async function oldNoticeView(ctx: GatewayContext, noticeId: string): Promise<NoticeView | undefined> {
  const doc = await ctx.loaders.caseDoc.load(caseIdOfNotice(noticeId)!);
  return doc ? noticeViews(doc, ctx.today).find((v) => v.notice.id === noticeId) : undefined;
}
