/**
 * The dossier as it was computed before the attention and meeting-calendar read models (gateway/resolvers/meetings.ts
 * as of commit 7adcb66): attention folded from whole case documents, carried-over items and "last discussed" from
 * every meeting of the city. Kept only here, as the oracle of dossierEquivalence.spec.ts.
 */
import { RECONSIDERATION_DECISION_NAMES, actionIdFor, type ActionItem, type Meeting } from '../../../domain/catalog/index.js';
import { completeActionItemRequest, organizerRequest } from '../../../application/requests.js';
import { chinaDate } from '../../../domain/deadlines/index.js';
import { CASES } from '../../../projections/cases/cases.projection.js';
import { MEETINGS, MeetingIndex, type MeetingDoc } from '../../../projections/meetings/meetings.projection.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../../../gateway/context.js';
import { actionItemOverdue, handoffOverdue, handoffViews, suggestionOverdue, suggestionViews } from '../../../gateway/readSide/views.js';
import { visibilityOf, visibleActionItems } from '../../../gateway/readSide/visibility.js';
import type { CaseView } from '../../../gateway/resolvers/cases.js';
import { actorOf, runCommand } from '../../../gateway/resolvers/commands.js';

/** an action item as the caller may see it: `caseId` is withheld where its case is not the caller's to see */
interface ActionItemView {
  item: ActionItem;
  caseId: string | null;
}

async function loadMeeting(ctx: GatewayContext, id: string): Promise<Meeting | null> {
  return (await ctx.loaders.meetingDoc.load(id))?.state ?? null;
}

async function organizerCommand(ctx: GatewayContext, meetingId: string, command: Record<string, unknown>): Promise<Meeting> {
  requireRole(ctx, 'organizer');
  const now = ctx.services.now().toISOString();
  const state = await runCommand<Meeting>(ctx, organizerRequest(actorOf(ctx), ctx.services.agencies, now, meetingId, command));
  ctx.loaders.meetingDoc.clear(meetingId);
  return state;
}

async function requireCase(ctx: GatewayContext, caseId: string): Promise<void> {
  if (!(await ctx.loaders.caseDoc.load(caseId))) throw badInput(`案件「${caseId}」不存在：请核对案件编号`);
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
    const lateHandoffs = handoffViews(doc, ctx.today).filter(handoffOverdue);
    if (lateHandoffs.length) push('overdue_handoff', lateHandoffs.map((v) => `${name(v.handoff.from)}→${name(v.handoff.to)} 移送应于 ${v.deadline!.dueDate} 前办结`).join('；'));
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
  Mutation: {
    scheduleMeeting: (_: unknown, args: { input: { title: string; scheduledAt: string; participants: string[] } }, ctx: GatewayContext) =>
      organizerCommand(ctx, ctx.services.newMeetingId(), { type: 'ScheduleMeeting', ...args.input }),
    async nominateCase(_: unknown, args: { meetingId: string; caseId: string; reason?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, 'organizer');
      await requireCase(ctx, args.caseId);
      return organizerCommand(ctx, args.meetingId, { type: 'NominateCase', caseId: args.caseId, reason: args.reason ?? 'manual' });
    },
    recordMeetingHeld: (_: unknown, args: { meetingId: string; attendees: string[] }, ctx: GatewayContext) =>
      organizerCommand(ctx, args.meetingId, { type: 'RecordMeetingHeld', attendees: args.attendees }),
    recordResolution: (_: unknown, args: { meetingId: string; caseId: string; text: string }, ctx: GatewayContext) =>
      organizerCommand(ctx, args.meetingId, { type: 'RecordResolution', caseId: args.caseId, text: args.text }),
    async assignActionItem(_: unknown, args: { input: { meetingId: string; caseId?: string | null; text: string; owner: string; dueDate: string } }, ctx: GatewayContext): Promise<ActionItemView> {
      requireRole(ctx, 'organizer');
      const { meetingId, caseId, ...rest } = args.input;
      if (caseId) await requireCase(ctx, caseId);
      const before = await loadMeeting(ctx, meetingId);
      const m = await organizerCommand(ctx, meetingId, { type: 'AssignActionItem', caseId: caseId ?? null, ...rest });
      const id = actionIdFor(meetingId, (before?.actionItems.length ?? 0) + 1);
      const item = m.actionItems.find((a) => a.actionId === id) ?? m.actionItems[m.actionItems.length - 1]!;
      return { item, caseId: item.caseId };
    },
    async completeActionItem(_: unknown, args: { id: string; note?: string | null }, ctx: GatewayContext): Promise<ActionItemView> {
      // the owner agency's people (viewer or organizer); auditors change nothing, publishers publish action_item.completed
      requireRole(ctx, 'viewer', 'organizer');
      const meetingId = args.id.includes(':A') ? args.id.slice(0, args.id.lastIndexOf(':A')) : '';
      const meeting = meetingId ? await loadMeeting(ctx, meetingId) : null;
      const item = meeting?.actionItems.find((a) => a.actionId === args.id);
      if (!meeting || !item) throw badInput(`没有编号为「${args.id}」的督办事项`);
      if (item.owner !== ctx.principal.agency.id) throw forbidden(`只有责任单位 ${agencyOf(ctx, item.owner).name} 可以办结该事项`);
      const now = ctx.services.now().toISOString();
      const m = await runCommand<Meeting>(ctx, completeActionItemRequest(actorOf(ctx), now, meetingId, args.id, args.note ?? null));
      ctx.loaders.meetingDoc.clear(meetingId);
      // the owner's own item; shown as the caller may see it (its case named only if the case is the caller's to see)
      return (await visibilityOf(ctx).actionItem(m.actionItems.find((a) => a.actionId === args.id)!))!;
    },
    cancelMeeting: (_: unknown, args: { id: string; reason: string }, ctx: GatewayContext) =>
      organizerCommand(ctx, args.id, { type: 'CancelMeeting', reason: args.reason }),
  },
  Meeting: {
    organizer: (m: Meeting, _: unknown, ctx: GatewayContext) => agencyOf(ctx, m.organizer),
    participants: (m: Meeting, _: unknown, ctx: GatewayContext) => m.participants.map((id) => agencyOf(ctx, id)),
    attendees: (m: Meeting, _: unknown, ctx: GatewayContext) => m.attendees.map((id) => agencyOf(ctx, id)),
    async agenda(m: Meeting, _: unknown, ctx: GatewayContext) {
      const docs = await ctx.loaders.caseDoc.loadMany(m.agenda.map((a) => a.caseId));
      const visibility = visibilityOf(ctx);
      return m.agenda.flatMap((a, i) => {
        // a viewer sees only the cases that involve its agency (graphql.md "Access"), here as everywhere
        const doc = visibility.caseDoc(docs[i]);
        return doc ? [{ case: { doc, asOf: null } satisfies CaseView, reason: a.reason, resolution: a.resolution }] : [];
      });
    },
    actionItems: (m: Meeting, _: unknown, ctx: GatewayContext): Promise<ActionItemView[]> => visibleActionItems(ctx, m.actionItems),
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
  AttentionItem: {},
  AgendaItem: {},
  ActionItem: {
    id: (v: ActionItemView) => v.item.actionId,
    meetingId: (v: ActionItemView) => v.item.meetingId,
    caseId: (v: ActionItemView) => v.caseId,
    text: (v: ActionItemView) => v.item.text,
    owner: (v: ActionItemView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.item.owner),
    dueDate: (v: ActionItemView) => v.item.dueDate,
    completedAt: (v: ActionItemView) => v.item.completedAt,
    overdue: (v: ActionItemView, _: unknown, ctx: GatewayContext) => actionItemOverdue(v.item, ctx.today),
  },
};

