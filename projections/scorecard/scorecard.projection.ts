import {
  evolveHandoff,
  withoutRequestPapers,
  evolveHearing,
  evolveSuggestion,
  HANDOFF_EVENT_TYPES,
  handoffClockStart,
  handoffClockRunning,
  handoffDeadline,
  isCorrective,
  headAppeared,
  metTiming,
  correctionAgency,
  evolveCorrectionFacts,
  offenderReportDue,
  noCorrectionFacts,
  CORRECTION_FACT_TYPES,
  type CorrectionFacts,
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
import type { Evolved, Projection } from '../projection.js';
import { withEntry } from '../../domain/shared/keyed.js';

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
/**
 * Revision 2's own documents (社区矫正 per case, self-corrections, filings reports), in their own collection: an event
 * that touches both a case document and one of these (judgment.issued, handoff.requested) is told which by collection.
 * Its index is ROW_INDEX too, with the same `<agency>|<quarter>|<column>|…` values.
 */
export const SCORECARD_R2 = 'scorecardRevision2';
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
  // revision 2 (graphql.md AgencyScorecard additions)
  caseHeard: 'k',
  caseHeardWithHead: 'k1',
  selfCorrection: 'x',
  preLitigationMediation: 'm',
  mediationSucceeded: 'm1',
  correctionUnreported: 'u',
  correctionAbsconded: 'a',
} as const;

/**
 * The "quarter" slot of the columns that are the state now (correctionsUnreported, correctionsAbsconded): not a quarter,
 * so no quarter's range holds them.
 */
export const NOW = 'now';

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
    for (const h of Object.values(doc.hearings)) if (h.held && h.heldAt) out.push(entry(a, h.heldAt, headAppeared(h) ? Column.hearingHeadAppeared : 'g0', enc(h.id)));
    // casesHeard / casesWithHeadAppearance: the case once per quarter it had a hearing held, k1 if a head appeared at one
    const withHead = new Map<string, boolean>();
    for (const h of Object.values(doc.hearings)) {
      if (!h.held || !h.heldAt) continue;
      const quarter = quarterOfTime(h.heldAt);
      withHead.set(quarter, (withHead.get(quarter) ?? false) || headAppeared(h));
    }
    for (const [quarter, head] of withHead) out.push(`${rowPrefix(a, quarter)}${head ? Column.caseHeardWithHead : 'k0'}|${enc(doc.caseId)}`);
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

export const handoffEntries = (doc: ScorecardHandoffDoc): string[] => [...mediationEntries(doc), ...handoffClockEntries(doc)];

/** 诉前委派调解 (revision 2): the court's row, in the quarter of the request; m1 = completed with outcome mediated */
const mediationEntries = (doc: ScorecardHandoffDoc): string[] => {
  const h = doc.handoff;
  if (h.purpose !== 'entrusted_mediation') return [];
  const succeeded = h.status === 'COMPLETED' && h.outcome === 'mediated';
  return [entry(h.from, h.requestedAt, succeeded ? Column.mediationSucceeded : 'm0', `${enc(doc.caseId)}/${enc(h.id)}`)];
};

const handoffClockEntries = (doc: ScorecardHandoffDoc): string[] => {
  const { deadline, clockStartedAt } = doc;
  if (deadline === null || clockStartedAt === null) return [];
  const timing = metTiming(deadline.metAt, deadline.dueDate);
  const late = `${Column.handoffRunningOrLate}|`;
  const column = timing === 'on_time' ? Column.handoffMetOnTime : timing === 'late' ? late + MET_LATE : handoffClockRunning(deadline) ? late + deadline.dueDate : 'h0';
  return [entry(doc.handoff.to, clockStartedAt, column, '-')];
};

// ---------------------------------------------------------------------------------------------
// Revision 2 documents: 社区矫正 per case, self-corrections, a court's filings report

/** `cc:<caseId>` — a case's community correction (domain/cases/correction.ts) and its 报到 due date while unreported */
export interface ScorecardCorrectionDoc {
  caseId: string;
  facts: CorrectionFacts;
  reportDue: IsoDate | null;
}
/** `x:<caseId>/<position>` — one self_correction.reported, counted for the agency that corrected itself */
export interface ScorecardSelfCorrectionDoc {
  caseId: string;
  agencyId: string;
  reportedAt: string;
}
/** `f:<agency>|<period>` — a court's latest 收案统计 of a quarter (court.filings_reported); read by id, not counted */
export interface ScorecardFilingsDoc {
  agencyId: string;
  period: string;
  civilFirstInstance: number;
  administrativeFirstInstance: number;
  reportedAt: string;
}

export const correctionDocId = (caseId: string): string => `cc:${enc(caseId)}`;
export const selfCorrectionDocId = (caseId: string, position: bigint): string => `x:${enc(caseId)}/${position}`;
export const filingsDocId = (agencyId: string, period: string): string => `f:${enc(agencyId)}|${period}`;

/** the state now, in the NOW slot of the supervising agency's row: unreported by due date (cut at today), absconded */
export const correctionEntries = (doc: ScorecardCorrectionDoc): string[] => {
  const agency = correctionAgency(doc.facts);
  if (agency === null) return [];
  const out: string[] = [];
  if (doc.reportDue !== null) out.push(`${rowPrefix(agency, NOW)}${Column.correctionUnreported}|${doc.reportDue}|${enc(doc.caseId)}`);
  if (doc.facts.abscondedAt !== null) out.push(`${rowPrefix(agency, NOW)}${Column.correctionAbsconded}|${enc(doc.caseId)}`);
  return out;
};

const CORRECTION_TYPES = ['correction.reported', 'correction.absconded', 'correction.located'] as const;

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
      return hearing === null || hearing === before.hearings[id] ? before : { ...before, hearings: withEntry(before.hearings, id, hearing) };
    }
    case 'reconsideration.decided': {
      const decision = data.decision as ReconsiderationDecision;
      return { ...before, reconsideration: { decidedAt: time, decision, corrective: isCorrective(decision) } };
    }
    default:
      return before;
  }
}

/** the keys of the revision-2 documents an event touches (besides the case, suggestion and handoff documents) */
function revision2Keys(event: RecordedEvent): [string, string][] {
  if (event.type === 'court.filings_reported') {
    const period = (event.data as { period?: unknown }).period;
    return event.streamId.startsWith('stats-') && typeof period === 'string' && event.metadata.source ? [[SCORECARD_R2, filingsDocId(event.metadata.source, period)]] : [];
  }
  if (!event.streamId.startsWith('case-')) return [];
  const caseId = caseIdOf(event);
  if (event.type === 'self_correction.reported') return [[SCORECARD_R2, selfCorrectionDocId(caseId, event.position)]];
  if (isOneOf(CORRECTION_FACT_TYPES, event.type)) return [[SCORECARD_R2, correctionDocId(caseId)]];
  return [];
}

function evolveRevision2(doc: unknown, event: RecordedEvent, ctx: ScorecardContext): Evolved {
  if (event.type === 'court.filings_reported') {
    const d = event.data as { period: string; civilFirstInstance: number; administrativeFirstInstance: number };
    // a later report for the same period replaces the earlier
    const next: ScorecardFilingsDoc = { agencyId: event.metadata.source ?? '', period: d.period, civilFirstInstance: d.civilFirstInstance, administrativeFirstInstance: d.administrativeFirstInstance, reportedAt: event.metadata.time };
    return { doc: next };
  }
  if (event.type === 'self_correction.reported') {
    const d = event.data as { agencyId: string };
    const next: ScorecardSelfCorrectionDoc = { caseId: caseIdOf(event), agencyId: d.agencyId, reportedAt: event.metadata.time };
    return { doc: next, indexes: { [ROW_INDEX]: [entry(d.agencyId, event.metadata.time, Column.selfCorrection, selfCorrectionDocId(next.caseId, event.position))] } };
  }
  const before = doc as ScorecardCorrectionDoc | null;
  const facts = evolveCorrectionFacts(before?.facts ?? noCorrectionFacts, inputOf(event));
  if (facts === before?.facts || (before === null && facts === noCorrectionFacts)) return { doc: before };
  const next: ScorecardCorrectionDoc = { caseId: caseIdOf(event), facts, reportDue: offenderReportDue(facts, ctx.deadlines.calendar) };
  return { doc: next, indexes: { [ROW_INDEX]: correctionEntries(next) } };
}

export const scorecardProjection: Projection<ScorecardContext> = {
  name: 'scorecard',
  // 2: revision 2 of the spec (issue 16): community correction, court filings, appearance, agency hierarchy
  // 3: handoffs without their request's documents and note (withoutRequestPapers)
  revision: 3,
  canHandle: [...new Set([...CASE_TYPES, ...SUGGESTION_TYPES, ...HANDOFF_EVENT_TYPES, ...CORRECTION_FACT_TYPES, ...CORRECTION_TYPES, 'self_correction.reported', 'court.filings_reported'])],
  collections: [SCORECARD, SCORECARD_R2],
  // read only by countRange: no per-value set in Redis
  rangeIndexes: [ROW_INDEX],
  // `<agency>|<quarter>|<column>|`: a column's count (`…|h`: the rows h0, h1, h2) is a sum of a few counts
  countedGroups: { [ROW_INDEX]: { separator: '|', fields: 3 } },
  keys(event) {
    const more = revision2Keys(event);
    if (!event.streamId.startsWith('case-')) return more;
    const caseId = caseIdOf(event);
    const data = event.data as { handoffId?: unknown; suggestionId?: unknown };
    if (isOneOf(CASE_TYPES, event.type)) return [[SCORECARD, caseDocId(caseId)], ...more];
    if (isOneOf(SUGGESTION_TYPES, event.type)) return typeof data.suggestionId === 'string' ? [[SCORECARD, suggestionDocId(caseId, data.suggestionId)]] : [];
    if (isOneOf(HANDOFF_EVENT_TYPES, event.type)) return [...(typeof data.handoffId === 'string' ? ([[SCORECARD, handoffDocId(caseId, data.handoffId)]] as const) : []), ...more];
    return more;
  },
  evolve(doc, event, ctx, collection) {
    if (collection === SCORECARD_R2) return evolveRevision2(doc, event, ctx);
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
    const evolved = evolveHandoff(before?.handoff ?? null, inputOf(event));
    if (evolved === null || evolved === before?.handoff) return { doc: before };
    // the counts read no document list or note: the stored handoff leaves them out
    const handoff = withoutRequestPapers(evolved);
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

/**
 * Revision 2: the ranges of one agency's revision-2 counts — `scorecard` holds the per-case hearing and the mediation
 * entries, `scorecardRevision2` the self-corrections and the 社区矫正 state now (cut at today: a 报到 due before today is
 * overdue; one due today is not yet).
 */
export function scorecardRevision2Bounds(agency: string, quarter: string, today: IsoDate) {
  const row = rowPrefix(agency, quarter);
  const now = rowPrefix(agency, NOW);
  return {
    [SCORECARD]: {
      casesHeard: prefixRange(row + Column.caseHeard),
      casesWithHeadAppearance: prefixRange(row + Column.caseHeardWithHead),
      preLitigationMediations: prefixRange(row + Column.preLitigationMediation),
      mediationsSucceeded: prefixRange(row + Column.mediationSucceeded),
    },
    [SCORECARD_R2]: {
      selfCorrections: prefixRange(row + Column.selfCorrection),
      correctionsUnreported: { from: `${now}${Column.correctionUnreported}|`, to: `${now}${Column.correctionUnreported}|${today}` },
      correctionsAbsconded: prefixRange(`${now}${Column.correctionAbsconded}|`),
    },
  } satisfies Record<string, Record<string, IndexBounds>>;
}
