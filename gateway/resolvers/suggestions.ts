import { caseIdOfNotice, suggestionClockStart } from '../../domain/catalog/index.js';
import { acknowledgeNoticeRequest } from '../../application/requests.js';
import { COPY_NOTICES, NOTICE_INDEX, noticeDocId, noticePlan, type CopyNoticeDoc } from '../../projections/copyNotices/copyNotices.projection.js';
import { entryOverdue, SUGGESTION_INDEX, SUGGESTIONS, suggestionScope, type SuggestionDoc } from '../../projections/suggestions/suggestions.projection.js';
import type { IndexBounds, IndexEntry, ReadModelStore } from '../../ports/readModelStore.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { noticeDueDate, noticeOverdue, suggestionOverdue, type NoticeView, type SuggestionView } from '../readSide/views.js';
import { visibilityOf } from '../readSide/visibility.js';
import { actorOf, runCommand } from './commands.js';

/** entries per range read, documents per getMany: a list is read in bounded round trips whatever its length */
const RANGE_PAGE = 2000;
const DOCUMENTS_PAGE = 500;

/** Every entry of one scope of an index, in its order (the list's order). */
async function scopeEntries(rm: ReadModelStore, collection: string, index: string, range: IndexBounds): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let after: IndexEntry | null = null;
  do {
    const page = await rm.findRange(collection, index, { ...range, after, limit: RANGE_PAGE });
    entries.push(...page.entries);
    after = page.next;
  } while (after !== null);
  return entries;
}

/** The documents of these entries, in their order. */
async function documents<T>(rm: ReadModelStore, collection: string, entries: readonly IndexEntry[]): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < entries.length; i += DOCUMENTS_PAGE) {
    const ids = entries.slice(i, i + DOCUMENTS_PAGE).map((e) => e.id);
    const docs = await rm.getMany<T>(collection, ids);
    docs.forEach((doc, j) => {
      if (doc === null) throw new Error(`${collection}: index entry without document ${ids[j]}`);
      found.push(doc);
    });
  }
  return found;
}

const suggestionView = (doc: SuggestionDoc, ctx: GatewayContext): SuggestionView => ({ caseId: doc.caseId, suggestion: doc.suggestion, deadline: doc.deadline, today: ctx.today });
const noticeView = (doc: CopyNoticeDoc, ctx: GatewayContext): NoticeView => ({ caseId: doc.caseId, notice: doc.notice, deadlines: doc.deadlines, today: ctx.today });

export const suggestionResolvers = {
  Query: {
    /** read from the suggestions projection: one scope's range, overdue decided from its entries, documents of the answer only */
    async suggestions(_: unknown, args: { toAgency?: string | null; overdue?: boolean | null }, ctx: GatewayContext): Promise<SuggestionView[]> {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const entries = await scopeEntries(rm, SUGGESTIONS, SUGGESTION_INDEX, suggestionScope({ viewer: visibilityOf(ctx).agency, toAgency: args.toAgency }));
      const wanted = args.overdue === null || args.overdue === undefined ? entries : entries.filter((e) => entryOverdue(e.value, ctx.today) === args.overdue);
      return (await documents<SuggestionDoc>(rm, SUGGESTIONS, wanted)).map((doc) => suggestionView(doc, ctx));
    },
    /** read from the copyNotices projection: one scope's range, acknowledged decided from its entries, documents of the answer only */
    async copyNotices(_: unknown, args: { agency?: string | null; acknowledged?: boolean | null }, ctx: GatewayContext): Promise<NoticeView[]> {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const plan = noticePlan({ viewer: visibilityOf(ctx).agency, agency: args.agency });
      const entries = await scopeEntries(rm, COPY_NOTICES, NOTICE_INDEX, plan.range);
      const wanted = args.acknowledged === null || args.acknowledged === undefined ? entries : entries.filter((e) => plan.acknowledged(e.value) === args.acknowledged);
      return (await documents<CopyNoticeDoc>(rm, COPY_NOTICES, wanted)).map((doc) => noticeView(doc, ctx));
    },
  },
  Mutation: {
    async acknowledgeNotice(_: unknown, args: { id: string }, ctx: GatewayContext): Promise<NoticeView> {
      // people acknowledge through GraphQL (viewer or organizer of a recipient); auditors change nothing
      requireRole(ctx, 'viewer', 'organizer');
      const caseId = caseIdOfNotice(args.id);
      if (!caseId) throw badInput(`抄告编号「${args.id}」格式不正确`);
      const rm = ctx.services.readModels;
      const id = noticeDocId(caseId, args.id);
      const doc = await rm.get<CopyNoticeDoc>(COPY_NOTICES, id);
      if (!doc) throw badInput(`没有编号为「${args.id}」的抄告`);
      if (!doc.notice.recipients.includes(ctx.principal.agency.id)) throw forbidden(`${ctx.principal.agency.name} 不是该抄告的接收机关`);
      const now = ctx.services.now().toISOString();
      // resolves once the read models have applied the acknowledgement (services.commands), so the notice read next is the new one
      await runCommand(ctx, acknowledgeNoticeRequest(actorOf(ctx), ctx.services.agencies, now, caseId, args.id));
      const fresh = await rm.get<CopyNoticeDoc>(COPY_NOTICES, id);
      if (!fresh) throw new Error(`copyNotices: notice ${args.id} gone after its acknowledgement`);
      return noticeView(fresh, ctx);
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
    receivedAt: (v: SuggestionView) => suggestionClockStart(v.suggestion),
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
