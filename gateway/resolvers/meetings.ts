import { actionIdFor, attentionDetail, attentionFindings, ATTENTION_REASONS, type ActionItem, type Meeting } from '../../domain/catalog/index.js';
import { completeActionItemRequest, organizerRequest } from '../../application/requests.js';
import type { IndexBounds, IndexEntry, ReadModelStore } from '../../ports/readModelStore.js';
import { ATTENTION, ATTENTION_INDEX, AttentionScope, attentionFacts, CLOCK_LANES, hasStandingFact, STANDING_LANES, type AttentionDoc } from '../../projections/attention/attention.projection.js';
import { CALENDAR_INDEX, CalendarScope, carriedOverItem, carriedOverRanges, dateRange, MEETING_CALENDAR } from '../../projections/meetings/meetingCalendar.projection.js';
import type { MeetingDoc } from '../../projections/meetings/meetings.projection.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext } from '../context.js';
import { actionItemOverdue } from '../readSide/views.js';
import { visibilityOf, visibleActionItems } from '../readSide/visibility.js';
import type { CaseSummaryView } from './cases.js';
import { actorOf, runCommand } from './commands.js';
import { forEachSlice, inSlices } from '../slices.js';

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

const TOP = '\u{10ffff}';
/** the list's order within a reason, as before (String#localeCompare), without building a collator per comparison */
const byLocale = new Intl.Collator().compare;

/** every entry of an index within the bounds, page by page (a long operation pauses between pages: gateway/slices.ts) */
async function allEntries(rm: ReadModelStore, collection: string, index: string, bounds: IndexBounds, pause?: () => Promise<void>): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  let after: IndexEntry | null = null;
  do {
    if (after !== null) await pause?.();
    const page = await rm.findRange(collection, index, { ...bounds, after, limit: 2000 });
    entries.push(...page.entries);
    after = page.next;
  } while (after !== null);
  return entries;
}

/**
 * The attention list (graphql.md Meeting.attention; the rule: domain/meetings/attention.ts), read from the attention
 * documents: the candidates are the cases the caller may see (the index's scope) with a clock lane due before today
 * or a standing reason; "when last discussed" joins each candidate's nominations with those meetings' documents
 * (held ones count, this meeting does not) — a handful of small documents, never every meeting of the city.
 * At 1,000,000 events it lists 1,581 items (the benchmark's): it is read, judged and answered in slices with pauses between
 * (gateway/slices.ts), so that the dossier does not hold the event loop for its whole length.
 */
async function attentionFor(ctx: GatewayContext, meeting: Meeting) {
  const rm = ctx.services.readModels;
  const visibility = visibilityOf(ctx);
  const scope = visibility.agency === null ? AttentionScope.all : AttentionScope.visibleTo(visibility.agency);
  const today = ctx.today;
  const lanes: IndexBounds[] = [
    // due before today: `<lane>|<today>` is above every earlier due date (`<date>|`) and below today's
    ...CLOCK_LANES.map((lane) => ({ from: `${scope}|${lane}|`, to: `${scope}|${lane}|${today}` })),
    ...STANDING_LANES.map((lane) => ({ from: `${scope}|${lane}|`, to: `${scope}|${lane}|${TOP}` })),
  ];
  const onAgenda = new Set(meeting.agenda.map((a) => a.caseId));
  const ids = new Set<string>();
  const read = async (bounds: IndexBounds): Promise<IndexEntry[]> => {
    await ctx.pause();
    return allEntries(rm, ATTENTION, ATTENTION_INDEX, bounds, ctx.pause);
  };
  for (const entries of await Promise.all(lanes.map(read))) {
    for (const { id } of entries) if (!onAgenda.has(id)) ids.add(id);
  }
  const docs: AttentionDoc[] = [];
  await forEachSlice([...ids], ctx.pause, async (slice) => {
    for (const d of await rm.getMany<AttentionDoc>(ATTENTION, slice)) if (d !== null && d.summary !== null) docs.push(d);
  });
  // the meetings that discussed a case matter only for its standing reasons
  const nominated = new Set(docs.flatMap((d) => (hasStandingFact(d) ? d.nominations : [])));
  nominated.delete(meeting.id);
  const heldAt = new Map<string, number>();
  for (const doc of await ctx.loaders.meetingDoc.loadMany([...nominated])) {
    if (doc && !(doc instanceof Error) && doc.state.status === 'HELD') heldAt.set(doc.state.id, Date.parse(doc.state.scheduledAt));
  }
  const lastDiscussed = (doc: AttentionDoc): number | null =>
    doc.nominations.reduce<number | null>((last, id) => {
      const at = heldAt.get(id);
      return at !== undefined && (last === null || at > last) ? at : last;
    }, null);
  const name = (id: string) => agencyOf(ctx, id).name;
  const rank = (reason: string) => (ATTENTION_REASONS as readonly string[]).indexOf(reason);
  // the Case of an item is its summary: a list of many cases loads no whole case document unless the query asks for more
  const items: { case: CaseSummaryView; reason: string; detail: string }[] = [];
  await forEachSlice(docs, ctx.pause, (slice) => {
    for (const doc of slice) {
      if (!visibility.case(doc.summary!)) continue;
      const facts = attentionFacts(doc);
      for (const finding of attentionFindings(facts, today, lastDiscussed(doc))) {
        items.push({ case: { summary: doc.summary! } satisfies CaseSummaryView, reason: finding.reason as string, detail: attentionDetail(facts, finding, name) });
      }
    }
  });
  items.sort((a, b) => rank(a.reason) - rank(b.reason) || byLocale(a.case.summary.id, b.case.summary.id));
  return inSlices(items, ctx.pause);
}

/** code point order, as the read-model store lists ids */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const meetingResolvers = {
  Query: {
    async meeting(_: unknown, args: { id: string }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const m = await loadMeeting(ctx, args.id);
      return m && visibilityOf(ctx).meeting(m) ? m : null;
    },
    async meetings(_: unknown, args: { from?: string | null; to?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const visibility = visibilityOf(ctx);
      // a viewer's meetings: those it takes part in, and those that gave it an action item (the calendar's scope)
      const scope = visibility.agency === null ? CalendarScope.all : CalendarScope.visibleTo(visibility.agency);
      const entries = await allEntries(ctx.services.readModels, MEETING_CALENDAR, CALENDAR_INDEX, dateRange(scope, args.from || null, args.to || null));
      const docs = (await ctx.loaders.meetingDoc.loadMany([...new Set(entries.map((e) => e.id))])).filter((d): d is MeetingDoc => !!d && !(d instanceof Error));
      return docs
        .map((d) => d.state)
        .filter((m) => visibility.meeting(m))
        .sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt) || byCodePoint(a.id, b.id));
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
      // each case by its summary (the attention document): its clocks and timeline load only if the query asks for them
      const docs = await ctx.services.readModels.getMany<AttentionDoc>(ATTENTION, m.agenda.map((a) => a.caseId));
      const visibility = visibilityOf(ctx);
      return m.agenda.flatMap((a, i) => {
        // a viewer sees only the cases that involve its agency (graphql.md "Access"), here as everywhere
        const summary = docs[i]?.summary;
        return summary && visibility.case(summary) ? [{ case: { summary } satisfies CaseSummaryView, reason: a.reason, resolution: a.resolution }] : [];
      });
    },
    actionItems: (m: Meeting, _: unknown, ctx: GatewayContext): Promise<ActionItemView[]> => visibleActionItems(ctx, m.actionItems),
    async carriedOver(m: Meeting, _: unknown, ctx: GatewayContext): Promise<ActionItemView[]> {
      // open action items of earlier held meetings: still open when this meeting takes place (two range reads of the
      // calendar) — of those the caller may see: a viewer, of meetings it may see, its own items and those of cases it may see
      const visibility = visibilityOf(ctx);
      const rm = ctx.services.readModels;
      const ranges = carriedOverRanges(m.scheduledAt);
      const carried = new Map<string, Set<string>>();
      // graphql.md: for a held meeting, those not completed before its scheduledAt; otherwise (scheduled, cancelled)
      // those not completed now — the open ones
      const lanes = m.status === 'HELD' ? [ranges.open, ranges.completedLater] : [ranges.open];
      for (const entries of await Promise.all(lanes.map((bounds) => allEntries(rm, MEETING_CALENDAR, CALENDAR_INDEX, bounds)))) {
        for (const entry of entries) {
          const actionId = carriedOverItem(entry.value, m.scheduledAt);
          if (actionId === null) continue;
          let items = carried.get(entry.id);
          if (!items) carried.set(entry.id, (items = new Set()));
          items.add(actionId);
        }
      }
      const docs = (await ctx.loaders.meetingDoc.loadMany([...carried.keys()].sort(byCodePoint))).filter((d): d is MeetingDoc => !!d && !(d instanceof Error));
      const open = docs
        .map((d) => d.state)
        .filter((earlier) => visibility.meeting(earlier))
        .flatMap((earlier) => earlier.actionItems.filter((a) => carried.get(earlier.id)!.has(a.actionId)));
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

