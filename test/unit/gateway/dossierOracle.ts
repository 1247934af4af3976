/**
 * The dossier as it was computed before the attention and meeting-calendar read models (gateway/resolvers/meetings.ts
 * as of commit 7adcb66): attention folded from whole case documents, carried-over items and "last discussed" from
 * every meeting of the city. Kept only here, as the oracle of dossierEquivalence.spec.ts: only the queries it compares.
 */
import { RECONSIDERATION_DECISION_NAMES, type ActionItem, type Meeting } from '../../../domain/catalog/index.js';
import { chinaDate } from '../../../domain/deadlines/index.js';
import { CASES } from '../../../projections/cases/cases.projection.js';
import { MEETINGS, MeetingIndex, type MeetingDoc } from '../../../projections/meetings/meetings.projection.js';
import { agencyOf, READ_ROLES, requireRole, type GatewayContext } from '../../../gateway/context.js';
import { handoffOverdue, suggestionOverdue, suggestionViews } from '../../../gateway/readSide/views.js';
import { handoffViews, wholeCase } from './wholeCases.js';
import { visibilityOf, visibleActionItems } from '../../../gateway/readSide/visibility.js';

/** 刑事诉讼法's 办案期限 (审查起诉, 补充侦查, 审理) and the 3-day 移送 check: passing one is 超期 */
const STATUTORY_TERMS = new Set<string>(['prosecution_review', 'supplementary_investigation', 'public_prosecution', 'criminal_transfer']);
import type { CaseView } from '../../../gateway/resolvers/cases.js';

/** an action item as the caller may see it: `caseId` is withheld where its case is not the caller's to see */
interface ActionItemView {
  item: ActionItem;
  caseId: string | null;
}

async function loadMeeting(ctx: GatewayContext, id: string): Promise<Meeting | null> {
  return (await ctx.loaders.meetingDoc.load(id))?.state ?? null;
}

/** Attention reasons, most pressing first (graphql.md Meeting.attention). */
const REASON_ORDER = ['overdue_handoff', 'overdue_suggestion', 'overdue_performance', 'agency_lost', 'reconsideration_corrected', 'major_dispute'];

/**
 * case id → when it was last on the agenda of a held meeting (other than `meeting`), as epoch ms. A loss or a
 * corrective reconsideration decision is brought to the liaison meeting once: after a held meeting has
 * discussed it, it leaves the attention lists (its follow-up lives on as action items, carried over until done).
 * Conditions that are still true now — an overdue handoff, suggestion or performance — stay regardless.
 */
async function lastDiscussed(ctx: GatewayContext, meeting: Meeting): Promise<Map<string, number>> {
  const ids = (await ctx.services.readModels.listIds(MEETINGS)).filter((id) => id !== meeting.id);
  const docs = await ctx.loaders.meetingDoc.loadMany(ids);
  const discussed = new Map<string, number>();
  for (const doc of docs) {
    if (!doc || doc instanceof Error || doc.state.status !== 'HELD') continue;
    const at = Date.parse(doc.state.scheduledAt);
    for (const { caseId } of doc.state.agenda) if (at > (discussed.get(caseId) ?? -Infinity)) discussed.set(caseId, at);
  }
  return discussed;
}

async function attentionFor(ctx: GatewayContext, meeting: Meeting) {
  const rm = ctx.services.readModels;
  const onAgenda = new Set(meeting.agenda.map((a) => a.caseId));
  const discussed = await lastDiscussed(ctx, meeting);
  /** not yet on the agenda of a meeting held at or after `time` */
  const undiscussedSince = (caseId: string, time: string) => (discussed.get(caseId) ?? -Infinity) < Date.parse(time);
  const ids = new Set<string>();
  // (the case index of standing reasons it read is gone with the one attention rule: every case is a candidate here,
  // which finds the same cases — the rule below decides — only slower)
  for (const id of await rm.listIds(CASES)) ids.add(id);
  // a viewer's list holds only the cases it may see (graphql.md "Access")
  const visibility = visibilityOf(ctx);
  const docs = (await ctx.loaders.caseDoc.loadMany([...ids].filter((id) => !onAgenda.has(id)))).flatMap((d) => visibility.caseDoc(d) ?? []);
  const items: { case: CaseView; reason: string; detail: string }[] = [];
  const name = (id: string) => agencyOf(ctx, id).name;
  for (const doc of docs) {
    const s = doc.state;
    const push = (reason: string, detail: string) => items.push({ case: { doc, asOf: null }, reason, detail });
    const whole = await wholeCase(ctx, s.id);
    const lateHandoffs = whole ? handoffViews(whole, ctx.today).filter(handoffOverdue) : [];
    if (lateHandoffs.length) push('overdue_handoff', lateHandoffs.map((v) => `${name(v.handoff.from)}→${name(v.handoff.to)} 移送应于 ${v.deadline!.dueDate} 前办结${STATUTORY_TERMS.has(v.handoff.purpose) ? '（办案期限已超期）' : ''}`).join('；'));
    const lateSuggestions = suggestionViews(doc, ctx.today).filter(suggestionOverdue);
    if (lateSuggestions.length) push('overdue_suggestion', lateSuggestions.map((v) => `${name(v.suggestion.to)} 应于 ${v.deadline!.dueDate} 前回复建议`).join('；'));
    const r = s.reconsideration;
    if (r?.corrective && r.performanceDueAt && !r.performedAt && ctx.today > r.performanceDueAt) push('overdue_performance', `${name(s.defendantAgencyId ?? '')} 应于 ${r.performanceDueAt} 前履行复议决定`);
    if (s.judgment?.outcome === 'agency_lost' && undiscussedSince(s.id, s.judgment.issuedAt)) push('agency_lost', `${name(s.defendantAgencyId ?? '')} 于 ${chinaDate(s.judgment.issuedAt)} 败诉`);
    if (r?.corrective && undiscussedSince(s.id, r.decidedAt)) push('reconsideration_corrected', `复议决定：${RECONSIDERATION_DECISION_NAMES[r.decision] ?? r.decision}（${chinaDate(r.decidedAt)}）`);
    if (s.kind === 'government_dispute' && s.major) push('major_dispute', `重大法律纠纷：${s.title}`);
  }
  return items.sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason) || a.case.doc.state.id.localeCompare(b.case.doc.state.id));
}

export const oldMeetingResolvers = {
  Query: {
    async meeting(_: unknown, args: { id: string }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const m = await loadMeeting(ctx, args.id);
      return m && visibilityOf(ctx).meeting(m) ? m : null;
    },
    async meetings(_: unknown, args: { from?: string | null; to?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const visibility = visibilityOf(ctx);
      const own = visibility.agency;
      // a viewer's meetings: those it takes part in, and those that gave it an action item
      const ids = own === null
        ? await rm.listIds(MEETINGS)
        : [...new Set([...(await rm.findIds(MEETINGS, MeetingIndex.participant, own)), ...(await rm.findIds(MEETINGS, MeetingIndex.owner, own))])];
      const docs = (await ctx.loaders.meetingDoc.loadMany(ids)).filter((d): d is MeetingDoc => !!d && !(d instanceof Error));
      return docs
        .map((d) => d.state)
        .filter((m) => visibility.meeting(m))
        .filter((m) => (!args.from || chinaDate(m.scheduledAt) >= args.from) && (!args.to || chinaDate(m.scheduledAt) <= args.to))
        .sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt));
    },
  },
  Meeting: {
    async agenda(m: Meeting, _: unknown, ctx: GatewayContext) {
      const docs = await ctx.loaders.caseDoc.loadMany(m.agenda.map((a) => a.caseId));
      const visibility = visibilityOf(ctx);
      return m.agenda.flatMap((a, i) => {
        // a viewer sees only the cases that involve its agency (graphql.md "Access"), here as everywhere
        const doc = visibility.caseDoc(docs[i]);
        return doc ? [{ case: { doc, asOf: null } satisfies CaseView, reason: a.reason, resolution: a.resolution }] : [];
      });
    },
    async carriedOver(m: Meeting, _: unknown, ctx: GatewayContext): Promise<ActionItemView[]> {
      // open action items of earlier meetings: still open when this meeting takes place
      // — of those the caller may see: a viewer, of meetings it may see, its own items and those of cases it may see
      const visibility = visibilityOf(ctx);
      const docs = (await ctx.loaders.meetingDoc.loadMany(await ctx.services.readModels.listIds(MEETINGS))).filter((d): d is MeetingDoc => !!d && !(d instanceof Error));
      const open = docs
        .map((d) => d.state)
        .filter((earlier) => earlier.id !== m.id && earlier.status === 'HELD' && Date.parse(earlier.scheduledAt) < Date.parse(m.scheduledAt))
        .filter((earlier) => visibility.meeting(earlier))
        .flatMap((earlier) => earlier.actionItems)
        .filter((a) => a.completedAt === null || Date.parse(a.completedAt) > Date.parse(m.scheduledAt));
      return visibleActionItems(ctx, open);
    },
    // a viewer's attention list: the cases it may see (attentionFor asks visibility, as every list does)
    attention: (m: Meeting, _: unknown, ctx: GatewayContext) => attentionFor(ctx, m),
  },
};

