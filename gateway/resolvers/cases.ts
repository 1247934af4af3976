import { describeEvent, inRequestOrder, isRfc3339, type CaseSummary, type Handoff, type HandoffDeadline } from '../../domain/catalog/index.js';
import { caseStream } from '../../domain/shared/events.js';
import { currentShape } from '../../ports/currentShape.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import { CASES, CaseIndex, type CaseDoc } from '../../projections/cases/cases.projection.js';
import { boardDocId, type HandoffBoardDoc } from '../../projections/handoffBoard/handoffBoard.projection.js';
import { hasRole } from '../auth.js';
import { agencyOf, badInput, forbidden, READ_ROLES, requireRole, type GatewayContext, type GatewayServices } from '../context.js';
import { createCaseHistory, type CaseHistory } from '../readSide/caseHistory.js';
import { caseDeadlineOverdue, handoffOverdue, type HandoffView } from '../readSide/views.js';
import { visibilityOf } from '../readSide/visibility.js';
import { paginate } from './pagination.js';

/** What the Case type resolves from: the state, its clocks, and (for asOf / atRevision) the events known then. */
export interface CaseView {
  doc: CaseDoc;
  /**
   * The case's whole handoffs with their clocks, in the order they were requested, for a case as it was (asOf,
   * atRevision); absent for the case as it is, whose handoffs are the handoff board's documents of them.
   */
  handoffs?: readonly { handoff: Handoff; deadline: HandoffDeadline | null }[];
  asOf: string | null;
  /** the case after its events 0..atRevision (auditors' `case(id, atRevision)`): its timeline stops there */
  atRevision?: number;
}

export const toView = (doc: CaseDoc): CaseView => ({ doc, asOf: null });

/**
 * A case on a list that shows few of its fields (the dossier's attention list): its summary answers the fields it
 * holds, and the whole document is loaded (once per request, by the loader) only if the query asks for the others.
 */
export interface CaseSummaryView {
  summary: CaseSummary;
}
/** what the Case type resolves from */
export type CaseParent = CaseView | CaseSummaryView;

const summaryOf = (v: CaseParent): CaseSummary => ('doc' in v ? v.doc.state : v.summary);

/** the whole case of a summary (null while the case read model has not caught up with the summary's) */
export async function wholeCase(v: CaseParent, ctx: GatewayContext): Promise<CaseView | null> {
  if ('doc' in v) return v;
  const doc = await ctx.loaders.caseDoc.load(v.summary.id);
  return doc ? toView(doc) : null;
}

/** the case when the caller may see it (readSide/visibility.ts), otherwise null as if there were none */
const visibleCase = async (ctx: GatewayContext, id: string): Promise<CaseDoc | null> => visibilityOf(ctx).caseDoc(await ctx.loaders.caseDoc.load(id));

/** The case as the platform knew it at `asOf`: its stream folded up to recordedAt ≤ asOf. */
async function caseAsOf(ctx: GatewayContext, id: string, asOf: string): Promise<CaseView | null> {
  // RFC 3339 with an offset only: Date.parse would also take `2024-09-30T18:00:00` — in the server's own time zone
  const limit = isRfc3339(asOf) ? Date.parse(asOf) : NaN;
  if (Number.isNaN(limit)) throw badInput('asOf 应为带时区的 RFC 3339 时间，如 2024-09-30T18:00:00+08:00');
  const then = await caseHistoryOf(ctx.services).caseAt(id, limit);
  return then ? { ...then, asOf } : null;
}

/** The case after its events 0..atRevision; a revision the stream does not have (yet) is null, like an unknown id. */
async function caseAtRevision(ctx: GatewayContext, id: string, atRevision: number): Promise<CaseView | null> {
  if (!Number.isSafeInteger(atRevision) || atRevision < 0) throw badInput('atRevision 应为非负整数（事件流中的版本号，从 0 开始）');
  const then = await caseHistoryOf(ctx.services).caseAtRevision(id, atRevision);
  return then ? { ...then, asOf: null, atRevision } : null;
}

/** The services' own case history, or one made for them (a WeakMap: it lives exactly as long as they do). */
const madeHistories = new WeakMap<GatewayServices, CaseHistory>();
function caseHistoryOf(services: GatewayServices): CaseHistory {
  if (services.caseHistory) return services.caseHistory;
  let history = madeHistories.get(services);
  if (!history) {
    history = createCaseHistory({ events: services.events, deadlines: services.deadlines });
    madeHistories.set(services, history);
  }
  return history;
}

export const caseResolvers = {
  Query: {
    async case(_: unknown, args: { id: string; asOf?: string | null; atRevision?: number | null }, ctx: GatewayContext): Promise<CaseView | null> {
      requireRole(ctx, ...READ_ROLES);
      if (args.atRevision !== undefined && args.atRevision !== null) {
        // graphql.md revision 2: "atRevision: auditors" (unlike asOf, not organizers)
        if (!hasRole(ctx.principal, 'auditor')) throw forbidden('atRevision（按事件版本回看）仅限 auditor（审计）角色');
        if (args.asOf) throw badInput('asOf 与 atRevision 只能给出其一');
        return caseAtRevision(ctx, args.id, args.atRevision);
      }
      if (args.asOf) {
        // graphql.md "Access": auditors read asOf; organizers read everything but history and auditVerify
        if (!hasRole(ctx.principal, 'auditor', 'organizer')) throw forbidden('asOf（历史时点查询）仅限 auditor（审计）或 organizer（会议组织）角色');
        return caseAsOf(ctx, args.id, args.asOf);
      }
      const doc = await visibleCase(ctx, args.id);
      return doc ? toView(doc) : null;
    },
    async cases(_: unknown, args: { agency?: string | null; kind?: string | null; status?: string | null; first?: number | null; after?: string | null }, ctx: GatewayContext) {
      requireRole(ctx, ...READ_ROLES);
      const rm = ctx.services.readModels;
      const visibility = visibilityOf(ctx);
      const own = visibility.agency;
      const sets: Promise<string[]>[] = [];
      if (args.agency) sets.push(rm.findIds(CASES, CaseIndex.agency, args.agency));
      if (own) sets.push(rm.findIds(CASES, CaseIndex.agency, own));
      if (args.kind) sets.push(rm.findIds(CASES, CaseIndex.kind, args.kind));
      if (args.status) sets.push(rm.findIds(CASES, CaseIndex.status, args.status.toUpperCase()));
      if (sets.length === 0) sets.push(rm.findIds(CASES, CaseIndex.all, '1'));
      const [first, ...rest] = await Promise.all(sets);
      const ids = rest.reduce((acc, s) => {
        const keep = new Set(s);
        return acc.filter((id) => keep.has(id));
      }, first!);
      const page = paginate(ids, (id) => id, args.first, args.after);
      const docs = await ctx.loaders.caseDoc.loadMany(page.nodes);
      return { ...page, nodes: docs.flatMap((d) => visibility.caseDoc(d) ?? []).map(toView) };
    },
  },
  Case: {
    id: (v: CaseParent) => summaryOf(v).id,
    kind: (v: CaseParent) => summaryOf(v).kind,
    title: (v: CaseParent) => summaryOf(v).title,
    caseNumber: (v: CaseParent) => summaryOf(v).caseNumber,
    status: (v: CaseParent) => summaryOf(v).status.toUpperCase(),
    registeredBy: (v: CaseParent, _: unknown, ctx: GatewayContext) => agencyOf(ctx, summaryOf(v).registeredBy),
    registeredAt: (v: CaseParent) => summaryOf(v).registeredAt,
    defendantAgency: (v: CaseParent, _: unknown, ctx: GatewayContext) => {
      const defendant = summaryOf(v).defendantAgencyId;
      return defendant ? agencyOf(ctx, defendant) : null;
    },
    privateEnterprise: (v: CaseParent) => summaryOf(v).privateEnterprise,
    major: (v: CaseParent) => summaryOf(v).major,
    agencies: (v: CaseParent, _: unknown, ctx: GatewayContext) => summaryOf(v).agencies.map((id) => agencyOf(ctx, id)),
    async handoffs(parent: CaseParent, _: unknown, ctx: GatewayContext): Promise<HandoffView[]> {
      const v = await wholeCase(parent, ctx);
      if (!v) return [];
      const caseId = v.doc.state.id;
      if (v.handoffs) return v.handoffs.map(({ handoff, deadline }) => ({ caseId, handoff, deadline, today: ctx.today }));
      // the case holds its handoffs' links; the board holds each handoff with its clock. One the board has not caught
      // up with yet is left out for the moment, as the board's own list would not show it either.
      const docs = await ctx.loaders.boardDoc.loadMany(inRequestOrder(v.doc.state.handoffs).map((link) => boardDocId(caseId, link.id)));
      return docs.filter((d): d is HandoffBoardDoc => !!d && !(d instanceof Error)).map((d) => ({ caseId, handoff: d.handoff, deadline: d.deadline, today: ctx.today }));
    },
    async deadlines(parent: CaseParent, _: unknown, ctx: GatewayContext) {
      const v = await wholeCase(parent, ctx);
      return (v?.doc.deadlines ?? []).map((d) => ({ name: d.name, dueDate: d.dueDate, dueDateProvisional: d.provisional, overdue: caseDeadlineOverdue(d, ctx.today), metAt: d.metAt, suspended: d.suspended }));
    },
    judgmentOutcome: async (parent: CaseParent, _: unknown, ctx: GatewayContext) => (await wholeCase(parent, ctx))?.doc.state.judgment?.outcome ?? null,
    reconsiderationDecision: async (parent: CaseParent, _: unknown, ctx: GatewayContext) => (await wholeCase(parent, ctx))?.doc.state.reconsideration?.decision ?? null,
    // revision 2: the 行政复议 case a suit follows (a case document written before revision 2 has no such field) — like
    // reconsiderationCase, only when the caller may see that case: its id is another case's (docs/decisions.md "Demo city")
    async reconsiderationCaseId(parent: CaseParent, _: unknown, ctx: GatewayContext) {
      const id = (await wholeCase(parent, ctx))?.doc.state.reconsiderationCaseId;
      return id && (await visibleCase(ctx, id)) ? id : null;
    },
    async reconsiderationCase(parent: CaseParent, _: unknown, ctx: GatewayContext) {
      const id = (await wholeCase(parent, ctx))?.doc.state.reconsiderationCaseId;
      const doc = id ? await visibleCase(ctx, id) : null;
      return doc ? toView(doc) : null;
    },
    async timeline(v: CaseParent, _: unknown, ctx: GatewayContext) {
      const stream = caseStream(summaryOf(v).id);
      const atRevision = 'doc' in v ? v.atRevision : undefined;
      if (atRevision !== undefined) return (await ctx.services.events.readStream(stream, { maxCount: atRevision + 1 })).map((e) => timelineEntry(e, ctx));
      const asOf = 'doc' in v ? v.asOf : null;
      const limit = asOf ? Date.parse(asOf) : Infinity;
      const events = (await ctx.services.events.readStream(stream)).filter((e) => Date.parse(e.recordedAt) <= limit);
      return events.map((e) => timelineEntry(e, ctx));
    },
  },
  Handoff: {
    id: (v: HandoffView) => v.handoff.id,
    caseId: (v: HandoffView) => v.caseId,
    case: async (v: HandoffView, _: unknown, ctx: GatewayContext) => {
      const doc = await visibleCase(ctx, v.caseId);
      return doc ? toView(doc) : null;
    },
    from: (v: HandoffView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.handoff.from),
    to: (v: HandoffView, _: unknown, ctx: GatewayContext) => agencyOf(ctx, v.handoff.to),
    purpose: (v: HandoffView) => v.handoff.purpose,
    status: (v: HandoffView) => v.handoff.status,
    requestedAt: (v: HandoffView) => v.handoff.requestedAt,
    receivedAt: (v: HandoffView) => v.handoff.receivedAt,
    completedAt: (v: HandoffView) => v.handoff.completedAt,
    outcome: (v: HandoffView) => v.handoff.outcome,
    returnReason: (v: HandoffView) => v.handoff.returnReason,
    dueDate: (v: HandoffView) => v.deadline?.dueDate ?? null,
    dueDateProvisional: (v: HandoffView) => v.deadline?.provisional ?? false,
    overdue: (v: HandoffView) => handoffOverdue(v),
    // a handoff from a read model that keeps no papers (attention, scorecard: withoutRequestPapers) takes them from the
    // board's document of it. A board that has not caught up yet answers none for the moment, as its list would.
    async documents(v: HandoffView, _: unknown, ctx: GatewayContext) {
      if (v.handoff.documents !== undefined) return v.handoff.documents;
      return (await ctx.loaders.boardDoc.load(boardDocId(v.caseId, v.handoff.id)))?.handoff.documents ?? [];
    },
  },
};

export function timelineEntry(stored: RecordedEvent, ctx: GatewayContext) {
  // described as the case fold reads it: in the current shape of its type
  const e = currentShape(stored);
  return {
    position: e.position.toString(),
    type: e.type,
    agency: e.metadata.source ? agencyOf(ctx, e.metadata.source) : null,
    time: e.metadata.time,
    recordedAt: e.recordedAt,
    summary: describeEvent({ type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source }, ctx.services.agencies),
  };
}

