import {
  evolveHandoff,
  evolveHearing,
  evolveSuggestion,
  HANDOFF_EVENT_TYPES,
  handoffClockStart,
  handoffClockRunning,
  handoffDeadline,
  isCorrective,
  metTiming,
  suggestionReplyDue,
  type CaseEventInput,
  type CaseKind,
  type DeadlineDeps,
  type Handoff,
  type HandoffDeadline,
  type Hearing,
  type JudgmentOutcome,
  type ReconsiderationDecision,
  type Suggestion,
} from '../../domain/catalog/index.js';
import { chinaDate, quarterOf, type IsoDate } from '../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { IndexBounds } from '../../ports/readModelStore.js';
import type { Projection } from '../projection.js';

/**
 * The quarterly scorecard (graphql.md `scorecard`, 季通报) as counts: one small document per thing a column counts,
 * each folded from its own events, filed in one ordered range-only index under
 * `<agency>|<quarter>|<column>|…` — the agency the row belongs to and the quarter (China-time date) of the counted
 * event. A row is then eleven range counts (`scorecardBounds`); nothing is loaded or folded at query time.
 *
 * Documents (collection `scorecard`):
 * - `c:<caseId>` — a case with a defendant agency: its kind, its judgments, its hearings and its reconsideration
 *   decision (the columns counted "with this defendant" need the case's registration, which no judgment or hearing
 *   event repeats, so these live on one per-case document; it holds only what the scorecard counts — a few hundred
 *   bytes, not the case state);
 * - `s:<caseId>/<suggestionId>` — a suggestion, its reply clock's due date;
 * - `h:<caseId>/<handoffId>` — a handoff and its clock (handoffDeadline).
 */
export const SCORECARD = 'scorecard';
/** the one index of the scorecard's documents */
export const ROW_INDEX = 'row';

export interface ScorecardContext {
  deadlines: DeadlineDeps;
}

/**
 * Columns, each a prefix of values within `<agency>|<quarter>|`. A letter is a column's family, its digit the
 * sub-column, so a family is counted as one prefix and each sub-column as another:
 * - j0 / j1: judgment issued in an administrative_litigation case with this defendant; j1 = agency_lost
 * - g0 / g1: hearing held in such a case; g1 = the agency head appeared
 * - r0 / r1: reconsideration decided with this defendant; r1 = corrective
 * - s0 / s1: suggestion issued to this agency; s1 = replied on or before its due date
 * - h0 / h1 / h2: handoff to this agency whose clock started in the quarter; h1 = its stopping event came on time;
 *   h2 = still running (`h2|<due date>|…`) or its stopping event came late (`h2|-|…`, `-` sorting below every
 *   date); h0 = the rest (not yet met but stopped: returned or withdrawn). "Overdue now" is the h2 range cut at
 *   today: running ones due before today, and the late ones.
 */
export const Column = {
  judgment: 'j',
  judgmentLost: 'j1',
  hearing: 'g',
  hearingHeadAppeared: 'g1',
  reconsideration: 'r',
  reconsiderationCorrective: 'r1',
  suggestion: 's',
  suggestionRepliedOnTime: 's1',
  handoff: 'h',
  handoffMetOnTime: 'h1',
  handoffRunningOrLate: 'h2',
} as const;

/** sorts below every IsoDate: the due-date slot of a handoff met late, so every "today" counts it */
export const MET_LATE = '-';

const enc = encodeURIComponent;
const TOP = '\u{10ffff}';

/** `<agency>|<quarter>|` — agency ids are URI-encoded, so no `|` of theirs can move a range */
export const rowPrefix = (agency: string, quarter: string): string => `${enc(agency)}|${quarter}|`;
const quarterOfTime = (time: string): string => quarterOf(chinaDate(time));
const entry = (agency: string, time: string, column: string, key: string): string => `${rowPrefix(agency, quarterOfTime(time))}${column}|${key}`;

// ---------------------------------------------------------------------------------------------
// Documents

export interface ScorecardCaseDoc {
  caseId: string;
  kind: CaseKind;
  defendant: string;
  /** judgment id → what the scorecard counts of it */
  judgments: Record<string, { issuedAt: string; outcome: JudgmentOutcome }>;
  /** hearing id → the hearing (domain evolveHearing) */
  hearings: Record<string, Hearing>;
  /** the latest decision (a later one replaces it, as in the case) */
  reconsideration: { decidedAt: string; decision: ReconsiderationDecision; corrective: boolean } | null;
}

export interface ScorecardSuggestionDoc {
  caseId: string;
  suggestion: Suggestion;
  /** its reply clock (suggestionReplyDue); null before receipt or service */
  dueDate: IsoDate | null;
}

export interface ScorecardHandoffDoc {
  caseId: string;
  handoff: Handoff;
  /** null while its clock has not started */
  deadline: HandoffDeadline | null;
  /** handoffClockStart: the scorecard counts a handoff in the quarter its clock started */
  clockStartedAt: string | null;
}

export const caseDocId = (caseId: string): string => `c:${enc(caseId)}`;
export const suggestionDocId = (caseId: string, suggestionId: string): string => `s:${enc(caseId)}/${enc(suggestionId)}`;
export const handoffDocId = (caseId: string, handoffId: string): string => `h:${enc(caseId)}/${enc(handoffId)}`;

/** the case's facts counted for its defendant: only an administrative_litigation case's judgments and hearings count */
export const caseEntries = (doc: ScorecardCaseDoc): string[] => {
  const out: string[] = [];
  const a = doc.defendant;
  if (doc.kind === 'administrative_litigation') {
    for (const [id, j] of Object.entries(doc.judgments)) out.push(entry(a, j.issuedAt, j.outcome === 'agency_lost' ? Column.judgmentLost : 'j0', enc(id)));
    for (const h of Object.values(doc.hearings)) if (h.held && h.heldAt) out.push(entry(a, h.heldAt, h.agencyHeadAppeared === true ? Column.hearingHeadAppeared : 'g0', enc(h.id)));
  }
  if (doc.reconsideration) out.push(entry(a, doc.reconsideration.decidedAt, doc.reconsideration.corrective ? Column.reconsiderationCorrective : 'r0', '-'));
  return out;
};

export const suggestionEntries = (doc: ScorecardSuggestionDoc): string[] => {
  const s = doc.suggestion;
  // a reply before any receipt was recorded came before its clock could run out: on time
  const onTime = doc.dueDate === null ? s.repliedAt !== null : metTiming(s.repliedAt, doc.dueDate) === 'on_time';
  return [entry(s.to, s.issuedAt, onTime ? Column.suggestionRepliedOnTime : 's0', '-')];
};

export const handoffEntries = (doc: ScorecardHandoffDoc): string[] => {
  const { deadline, clockStartedAt } = doc;
  if (deadline === null || clockStartedAt === null) return [];
  const timing = metTiming(deadline.metAt, deadline.dueDate);
  const late = `${Column.handoffRunningOrLate}|`;
  const column = timing === 'on_time' ? Column.handoffMetOnTime : timing === 'late' ? late + MET_LATE : handoffClockRunning(deadline) ? late + deadline.dueDate : 'h0';
  return [entry(doc.handoff.to, clockStartedAt, column, '-')];
};

// ---------------------------------------------------------------------------------------------
// The projection

const CASE_TYPES = ['case.registered', 'hearing.scheduled', 'hearing.held', 'judgment.issued', 'reconsideration.decided'] as const;
// served and received start the reply clock (revision 2)
const SUGGESTION_TYPES = ['suggestion.issued', 'suggestion.served', 'suggestion.received', 'suggestion.replied'] as const;
const isOneOf = <T extends string>(types: readonly T[], type: string): type is T => (types as readonly string[]).includes(type);

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);
const inputOf = (event: RecordedEvent): CaseEventInput => ({ type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source });

function evolveCaseDoc(before: ScorecardCaseDoc | null, event: RecordedEvent): ScorecardCaseDoc | null {
  const data = event.data as Record<string, unknown>;
  const time = event.metadata.time;
  if (event.type === 'case.registered') {
    // a second registration changes nothing (evolveCase); a case without a defendant counts for no one
    if (before !== null || typeof data.defendantAgencyId !== 'string' || data.defendantAgencyId === '') return before;
    return { caseId: caseIdOf(event), kind: data.kind as CaseKind, defendant: data.defendantAgencyId, judgments: {}, hearings: {}, reconsideration: null };
  }
  if (before === null) return null;
  switch (event.type) {
    case 'judgment.issued':
      return { ...before, judgments: { ...before.judgments, [data.judgmentId as string]: { issuedAt: time, outcome: data.outcome as JudgmentOutcome } } };
    case 'hearing.scheduled':
    case 'hearing.held': {
      const id = data.hearingId as string;
      const hearing = evolveHearing(before.hearings[id] ?? null, inputOf(event));
      return hearing === null || hearing === before.hearings[id] ? before : { ...before, hearings: { ...before.hearings, [id]: hearing } };
    }
    case 'reconsideration.decided': {
      const decision = data.decision as ReconsiderationDecision;
      return { ...before, reconsideration: { decidedAt: time, decision, corrective: isCorrective(decision) } };
    }
    default:
      return before;
  }
}

export const scorecardProjection: Projection<ScorecardContext> = {
  name: 'scorecard',
  canHandle: [...CASE_TYPES, ...SUGGESTION_TYPES, ...HANDOFF_EVENT_TYPES],
  collections: [SCORECARD],
  // read only by countRange: no per-value set in Redis
  rangeIndexes: [ROW_INDEX],
  keys(event) {
    if (!event.streamId.startsWith('case-')) return [];
    const caseId = caseIdOf(event);
    const data = event.data as { handoffId?: unknown; suggestionId?: unknown };
    if (isOneOf(CASE_TYPES, event.type)) return [[SCORECARD, caseDocId(caseId)]];
    if (isOneOf(SUGGESTION_TYPES, event.type)) return typeof data.suggestionId === 'string' ? [[SCORECARD, suggestionDocId(caseId, data.suggestionId)]] : [];
    return typeof data.handoffId === 'string' ? [[SCORECARD, handoffDocId(caseId, data.handoffId)]] : [];
  },
  evolve(doc, event, ctx) {
    if (isOneOf(CASE_TYPES, event.type)) {
      const before = doc as ScorecardCaseDoc | null;
      const next = evolveCaseDoc(before, event);
      if (next === before) return { doc: before };
      return next === null ? { doc: null } : { doc: next, indexes: { [ROW_INDEX]: caseEntries(next) } };
    }
    if (isOneOf(SUGGESTION_TYPES, event.type)) {
      const before = doc as ScorecardSuggestionDoc | null;
      const suggestion = evolveSuggestion(before?.suggestion ?? null, inputOf(event));
      if (suggestion === null || suggestion === before?.suggestion) return { doc: before };
      const next: ScorecardSuggestionDoc = { caseId: caseIdOf(event), suggestion, dueDate: suggestionReplyDue(suggestion, ctx.deadlines.calendar)?.dueDate ?? null };
      return { doc: next, indexes: { [ROW_INDEX]: suggestionEntries(next) } };
    }
    const before = doc as ScorecardHandoffDoc | null;
    const handoff = evolveHandoff(before?.handoff ?? null, inputOf(event));
    if (handoff === null || handoff === before?.handoff) return { doc: before };
    const next: ScorecardHandoffDoc = {
      caseId: caseIdOf(event),
      handoff,
      deadline: handoffDeadline(handoff, ctx.deadlines),
      clockStartedAt: handoffClockStart(handoff, ctx.deadlines.policy),
    };
    return { doc: next, indexes: { [ROW_INDEX]: handoffEntries(next) } };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading a row: which range of the index each column is.

const prefixRange = (prefix: string): IndexBounds => ({ from: prefix, to: prefix + TOP });

/**
 * The ranges of one agency's row in one quarter, each counted with countRange. Only `handoffsOverdue` depends on
 * today: `<row>h2|` up to `<row>h2|<today>` holds the late ones (`-`) and the running clocks due before today
 * (a value due today, `<row>h2|<today>|…`, is above that bound).
 */
export function scorecardBounds(agency: string, quarter: string, today: IsoDate) {
  const row = rowPrefix(agency, quarter);
  return {
    litigationConcluded: prefixRange(row + Column.judgment),
    litigationLost: prefixRange(row + Column.judgmentLost),
    hearingsHeld: prefixRange(row + Column.hearing),
    headAppearances: prefixRange(row + Column.hearingHeadAppeared),
    reconsiderationsDecided: prefixRange(row + Column.reconsideration),
    reconsiderationsCorrected: prefixRange(row + Column.reconsiderationCorrective),
    suggestionsReceived: prefixRange(row + Column.suggestion),
    suggestionsRepliedOnTime: prefixRange(row + Column.suggestionRepliedOnTime),
    handoffsReceived: prefixRange(row + Column.handoff),
    handoffsCompletedOnTime: prefixRange(row + Column.handoffMetOnTime),
    handoffsOverdue: { from: `${row}${Column.handoffRunningOrLate}|`, to: `${row}${Column.handoffRunningOrLate}|${today}` },
  } satisfies Record<string, IndexBounds>;
}
export type ScorecardCounts = Record<keyof ReturnType<typeof scorecardBounds>, number>;
