import {
  caseSummaryOf,
  correctionOf,
  evolveCase,
  evolveHandoff,
  withoutRequestPapers,
  evolveSuggestion,
  handoffDeadline,
  handoffEnded,
  involvedAgencies,
  isCorrective,
  lostAtOf,
  majorDisputeOf,
  performanceDueOf,
  performanceDueDate,
  suggestionReplyDue,
  withInvolved,
  correctionAgency,
  evolveCorrectionFacts,
  offenderReportDue,
  noCorrectionFacts,
  CASE_EVENT_TYPES,
  CORRECTION_FACT_TYPES,
  type CorrectionFacts,
  disputeOf,
  disputeLossOf,
  evolveRectification,
  rectificationAttentionClock,
  type DisputeLoss,
  type AttentionClock,
  type AttentionFacts,
  type CaseEvent,
  type CaseSummary,
  type Handoff,
  type Reconsideration,
  type Suggestion,
} from '../../domain/catalog/index.js';
import type { IsoDate } from '../../domain/deadlines/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';
import { withEntry } from '../../domain/shared/keyed.js';

/**
 * The dossier's attention list (graphql.md Meeting.attention; the rule: domain/meetings/attention.ts): one small
 * document per case with what the rule reads — its running clocks that can fall overdue (only the parties and due
 * dates the list names), its standing facts, the agencies that may see it — and the meetings that had it on their
 * agenda. Multi-stream: case events and `meeting.case_nominated` (keys() sees the event only, so a nomination is
 * filed on the case it names; whether that meeting was held, and when, is read from the meeting's own document when
 * the list is asked for — see docs/decisions.md).
 *
 * One ordered range-only index finds the candidates: per scope (everyone, or an agency that may see the case), one
 * lane per clock kind keyed by its earliest due date — so "overdue today" is the lane's range below today — and one
 * lane per standing reason.
 */
export const ATTENTION = 'attention';

export interface AttentionDoc {
  caseId: string;
  /**
   * What the list shows of the case (its Case fields but clocks and history, kept current: status, agencies); null for
   * a document a nomination made before its case was registered — never on a list
   */
  summary: CaseSummary | null;
  /** ExistingCase.agencies: the viewers that may see the case (organizers and auditors see every case) */
  visibleTo: readonly string[];
  /**
   * Handoffs whose clock may still run: not started yet (dueDate null) or running. A handoff leaves once its clock
   * stopped or it ended — nothing brings a stopped clock back (evolveHandoff). Neither the request's documents nor
   * its note are kept (withoutRequestPapers).
   */
  handoffs: Record<string, { handoff: Handoff; dueDate: IsoDate | null }>;
  /**
   * Unanswered suggestions, with their reply clock's due date — null before receipt or service (no clock yet).
   * The summaries are not kept.
   */
  suggestions: Record<string, { suggestion: Suggestion; dueDate: IsoDate | null }>;
  /** the latest judgment's time when the agency lost it */
  lostAt: string | null;
  reconsideration: Pick<Reconsideration, 'decision' | 'decidedAt' | 'corrective' | 'performanceDueAt' | 'performedAt'> | null;
  /** meetings that had the case on their agenda (held or not: the read decides), in nomination order */
  nominations: string[];
  /**
   * 社区矫正 (revision 2): the facts of domain/cases/correction.ts and the 报到 due date while unreported (the calendar is
   * at hand only here). Absent on a case without a judgment ordering community correction, and on documents written
   * before revision 2.
   */
  communityCorrection?: { facts: CorrectionFacts; reportDue: IsoDate | null };
  // Revision 2 (legal disputes of state organs). Optional: documents stored before revision 2 lack them, and no
  // event they read existed then.
  /** a government dispute's 主管单位 (from its registration), named by dispute_lost */
  disputeResponsible?: string | null;
  /** a government dispute concluded lost or partially lost */
  disputeLost?: DisputeLoss | null;
  /** the dispute's outcome was reported (any outcome): a major dispute is no longer open business */
  disputeConcluded?: boolean;
  /** rectifications not yet completed: their clocks (rectification id → clock) */
  rectifications?: Record<string, AttentionClock>;
}

export interface AttentionContext {
  deadlines: DeadlineDeps;
}

/** the one index of the attention documents */
export const ATTENTION_INDEX = 'attention';

/** the lanes: a clock kind, keyed by its earliest due date, or a standing reason */
export const AttentionLane = {
  handoff: 'H',
  suggestion: 'S',
  performance: 'P',
  lost: 'L',
  corrected: 'R',
  major: 'M',
  // revision 2, 社区矫正: the 报到 clock (keyed by its due date) and 脱管 (while absconded, keyed by its time)
  correctionReport: 'U',
  absconded: 'A',
  // revision 2: legal disputes of state organs
  rectification: 'X',
  disputeLost: 'D',
} as const;
export const CLOCK_LANES = [AttentionLane.handoff, AttentionLane.suggestion, AttentionLane.performance, AttentionLane.rectification, AttentionLane.correctionReport] as const;
export const STANDING_LANES = [AttentionLane.lost, AttentionLane.corrected, AttentionLane.major, AttentionLane.absconded, AttentionLane.disputeLost] as const;

/** the document has a standing fact that leaves the list once a held meeting discussed it (its nominations matter) */
export const hasStandingFact = (doc: AttentionDoc): boolean => doc.lostAt !== null || doc.reconsideration?.corrective === true || (doc.disputeLost ?? null) !== null;

const enc = encodeURIComponent;
export const AttentionScope = {
  all: '*',
  visibleTo: (agency: string) => `v:${enc(agency)}`,
};

/** what the attention rule reads of the document */
export function attentionFacts(doc: AttentionDoc): AttentionFacts {
  const handoffClocks: AttentionClock[] = [];
  for (const id in doc.handoffs) {
    const { handoff, dueDate } = doc.handoffs[id]!;
    if (dueDate !== null) handoffClocks.push({ from: handoff.from, to: handoff.to, dueDate, purpose: handoff.purpose });
  }
  return {
    caseId: doc.caseId,
    title: doc.summary?.title ?? '',
    defendant: doc.summary?.defendantAgencyId ?? null,
    handoffClocks,
    suggestionClocks: Object.values(doc.suggestions).flatMap(({ suggestion, dueDate }) => (dueDate === null ? [] : [{ from: null, to: suggestion.to, dueDate, purpose: null }])),
    performanceDue: performanceDueOf(doc.reconsideration as Reconsideration | null),
    lostAt: doc.lostAt,
    correction: correctionOf(doc.reconsideration as Reconsideration | null),
    communityCorrection: communityCorrectionOf(doc),
    majorDispute: doc.summary !== null && majorDisputeOf(doc.summary, doc.disputeConcluded ?? false),
    rectificationClocks: Object.values(doc.rectifications ?? {}),
    disputeLost: doc.disputeLost ?? null,
  };
}

const earliest = (dates: readonly IsoDate[]): IsoDate | null => dates.reduce<IsoDate | null>((min, d) => (min === null || d < min ? d : min), null);

/**
 * The document's entries: `<scope>|<lane>|<key>`. A clock lane's key is `<earliest due date>|` — the trailing `|`
 * puts a date just above the bare date, so the range up to `<scope>|<lane>|<today>` holds exactly the due dates
 * before today. A standing lane's key is the fact's time (UTC) or empty.
 */
export function attentionEntries(doc: AttentionDoc): string[] {
  if (doc.summary === null) return [];
  const facts = attentionFacts(doc);
  const lanes: string[] = [];
  const handoffDue = earliest(facts.handoffClocks.map((c) => c.dueDate));
  if (handoffDue !== null) lanes.push(`${AttentionLane.handoff}|${handoffDue}|`);
  const suggestionDue = earliest(facts.suggestionClocks.map((c) => c.dueDate));
  if (suggestionDue !== null) lanes.push(`${AttentionLane.suggestion}|${suggestionDue}|`);
  if (facts.performanceDue !== null) lanes.push(`${AttentionLane.performance}|${facts.performanceDue}|`);
  if (facts.lostAt !== null) lanes.push(`${AttentionLane.lost}|${new Date(facts.lostAt).toISOString()}`);
  if (facts.correction !== null) lanes.push(`${AttentionLane.corrected}|${new Date(facts.correction.decidedAt).toISOString()}`);
  if (facts.majorDispute) lanes.push(`${AttentionLane.major}|`);
  const supervision = facts.communityCorrection ?? null;
  if (supervision?.reportDue) lanes.push(`${AttentionLane.correctionReport}|${supervision.reportDue}|`);
  if (supervision?.abscondedAt) lanes.push(`${AttentionLane.absconded}|${new Date(supervision.abscondedAt).toISOString()}`);
  const rectificationDue = earliest(facts.rectificationClocks.map((c) => c.dueDate));
  if (rectificationDue !== null) lanes.push(`${AttentionLane.rectification}|${rectificationDue}|`);
  if (facts.disputeLost !== null) lanes.push(`${AttentionLane.disputeLost}|${new Date(facts.disputeLost.concludedAt).toISOString()}`);
  const scopes = [AttentionScope.all, ...doc.visibleTo.map(AttentionScope.visibleTo)];
  return scopes.flatMap((scope) => lanes.map((lane) => `${scope}|${lane}`));
}

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);
const meetingIdOf = (event: RecordedEvent): string => event.streamId.slice('meeting-'.length);

const NOMINATED = 'meeting.case_nominated';

const stub = (caseId: string): AttentionDoc => ({
  caseId,
  summary: null,
  visibleTo: [],
  handoffs: {},
  suggestions: {},
  lostAt: null,
  reconsideration: null,
  nominations: [],
});

const withoutKey = <T>(record: Record<string, T>, key: string): Record<string, T> => {
  const next = { ...record };
  delete next[key];
  return next;
};

/** the community-correction part of the attention facts (domain/meetings/attention.ts CorrectionAttention) */
function communityCorrectionOf(doc: AttentionDoc): AttentionFacts['communityCorrection'] {
  const cc = doc.communityCorrection;
  const agency = cc ? correctionAgency(cc.facts) : null;
  return cc && agency !== null ? { agency, reportDue: cc.reportDue, abscondedAt: cc.facts.abscondedAt } : null;
}

const CORRECTION_TYPES: ReadonlySet<string> = new Set(CORRECTION_FACT_TYPES);

/** the document after an event that may change its community correction; the same object when it does not */
function evolveCommunityCorrection(doc: AttentionDoc, input: Parameters<typeof evolveCorrectionFacts>[1], ctx: AttentionContext): AttentionDoc {
  if (!CORRECTION_TYPES.has(input.type)) return doc;
  const before = doc.communityCorrection?.facts ?? noCorrectionFacts;
  const facts = evolveCorrectionFacts(before, input);
  if (facts === before) return doc;
  return { ...doc, communityCorrection: { facts, reportDue: offenderReportDue(facts, ctx.deadlines.calendar) } };
}

/** the document after a case event; `before` unchanged (the same object) when the event changes nothing it keeps */
function evolveCaseEvent(before: AttentionDoc, event: RecordedEvent, ctx: AttentionContext): AttentionDoc {
  const input = { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) };
  const e = input as unknown as CaseEvent;
  if (e.type === 'case.registered') {
    if (before.summary !== null) return before;
    // the registration read as the case's own fold reads it (evolveCase), of which the summary keeps a few fields
    const registered = evolveCase({ status: 'none' }, input);
    if (registered.status === 'none') return before;
    const dispute = disputeOf(registered);
    return { ...before, summary: caseSummaryOf(registered), visibleTo: registered.agencies, ...(dispute ? { disputeResponsible: dispute.responsibleAgencyId } : {}) };
  }
  const summary = before.summary;
  if (summary === null) return before;
  const visibleTo = withInvolved(before.visibleTo, involvedAgencies(input));
  const involved = visibleTo === before.visibleTo ? before : { ...before, visibleTo, summary: { ...summary, agencies: visibleTo } };
  const doc = evolveCommunityCorrection(involved, input, ctx);
  const time = e.time;
  switch (e.type) {
    case 'case.closed':
      return { ...doc, summary: { ...doc.summary!, status: 'closed' } };
    case 'handoff.requested':
    case 'handoff.received':
    case 'handoff.accepted':
    case 'handoff.returned':
    case 'handoff.extended':
    case 'handoff.completed':
    case 'handoff.withdrawn': {
      const id = e.data.handoffId;
      const handoff = evolveHandoff(doc.handoffs[id]?.handoff ?? null, input);
      if (handoff === null) return doc;
      const deadline = handoffDeadline(handoff, ctx.deadlines);
      if (handoffEnded(handoff) || (deadline !== null && deadline.stoppedAt !== null)) {
        return id in doc.handoffs ? { ...doc, handoffs: withoutKey(doc.handoffs, id) } : doc;
      }
      return { ...doc, handoffs: withEntry(doc.handoffs, id, { handoff: withoutRequestPapers(handoff), dueDate: deadline?.dueDate ?? null }) };
    }
    case 'judgment.issued':
      return { ...doc, lostAt: lostAtOf({ judgment: { outcome: e.data.outcome, issuedAt: time } }) };
    case 'suggestion.issued':
    case 'suggestion.served':
    case 'suggestion.received': {
      const id = e.data.suggestionId;
      const suggestion = evolveSuggestion(e.type === 'suggestion.issued' ? null : (doc.suggestions[id]?.suggestion ?? null), input);
      if (suggestion === null || suggestion === doc.suggestions[id]?.suggestion) return doc;
      const kept = { ...suggestion, summary: '' };
      return { ...doc, suggestions: withEntry(doc.suggestions, id, { suggestion: kept, dueDate: suggestionReplyDue(kept, ctx.deadlines.calendar)?.dueDate ?? null }) };
    }
    case 'suggestion.replied':
      return e.data.suggestionId in doc.suggestions ? { ...doc, suggestions: withoutKey(doc.suggestions, e.data.suggestionId) } : doc;
    case 'reconsideration.decided': {
      const d = e.data;
      const corrective = isCorrective(d.decision);
      // a number of days becomes its date here, where the calendar is at hand: the document keeps one due date
      const days = d.performanceDays ?? null;
      const due = performanceDueDate({ corrective, decidedAt: time, performanceDueAt: d.performanceDueAt ?? null, performanceDays: days } as Reconsideration, ctx.deadlines.calendar);
      return { ...doc, reconsideration: { decision: d.decision, decidedAt: time, corrective, performanceDueAt: due?.dueDate ?? null, performedAt: null } };
    }
    case 'reconsideration.performed':
      return doc.reconsideration ? { ...doc, reconsideration: { ...doc.reconsideration, performedAt: time } } : doc;
    // revision 2: legal disputes of state organs (the rule: disputeLossOf, rectificationAttentionClock)
    case 'dispute.concluded': {
      if (doc.summary!.kind !== 'government_dispute' || doc.disputeConcluded === true) return doc;
      const responsibleAgencyId = doc.disputeResponsible ?? doc.summary!.registeredBy;
      const conclusion = { outcome: e.data.outcome, lossAmount: e.data.lossAmount ?? null, concludedBy: e.source ?? '', concludedAt: time };
      return { ...doc, disputeConcluded: true, disputeLost: disputeLossOf({ responsibleAgencyId, handlingUnit: null, amount: null, arisenAt: null, consultations: [], conclusion }) };
    }
    case 'rectification.ordered': {
      const rectifications = doc.rectifications ?? {};
      if (e.data.rectificationId in rectifications) return doc;
      const rectification = evolveRectification(null, input);
      const clock = rectification === null ? null : rectificationAttentionClock(rectification);
      return clock === null ? doc : { ...doc, rectifications: withEntry(rectifications, e.data.rectificationId, clock) };
    }
    case 'rectification.completed':
      return doc.rectifications !== undefined && e.data.rectificationId in doc.rectifications ? { ...doc, rectifications: withoutKey(doc.rectifications, e.data.rectificationId) } : doc;
    default:
      return doc;
  }
}

export const attentionProjection: Projection<AttentionContext> = {
  name: 'attention',
  // 2: revision 2 of the spec (issue 16): community correction, court filings, appearance, agency hierarchy
  // 3: handoffs without their request's note (and without an empty document list)
  revision: 3,
  canHandle: [...CASE_EVENT_TYPES, NOMINATED],
  collections: [ATTENTION],
  rangeIndexes: [ATTENTION_INDEX],
  keys(event) {
    if (event.type === NOMINATED) {
      const caseId = (event.data as { caseId?: unknown }).caseId;
      return event.streamId.startsWith('meeting-') && typeof caseId === 'string' ? [[ATTENTION, caseId]] : [];
    }
    return event.streamId.startsWith('case-') ? [[ATTENTION, caseIdOf(event)]] : [];
  },
  evolve(stored, event, ctx) {
    const before = stored as AttentionDoc | null;
    let next: AttentionDoc;
    if (event.type === NOMINATED) {
      const meetingId = meetingIdOf(event);
      const doc = before ?? stub((event.data as { caseId: string }).caseId);
      if (doc.nominations.includes(meetingId)) return { doc: before };
      next = { ...doc, nominations: [...doc.nominations, meetingId] };
      // a nomination changes no entry
      return before?.summary ? { doc: next } : { doc: next, indexes: { [ATTENTION_INDEX]: attentionEntries(next) } };
    }
    if (before === null && event.type !== 'case.registered') return { doc: null };
    next = evolveCaseEvent(before ?? stub(caseIdOf(event)), event, ctx);
    if (next === before) return { doc: before };
    return { doc: next, indexes: { [ATTENTION_INDEX]: attentionEntries(next) } };
  },
};
