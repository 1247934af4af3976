import {
  caseDeadlines,
  CASE_EVENT_TYPES,
  evolveCase,
  handoffDeadline,
  type CaseDeadline,
  type CaseState,
  type ExistingCase,
  type HandoffDeadline,
  withoutRequestPapers,
} from '../../domain/catalog/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';

export const CASES = 'cases';

/**
 * The case read model: the domain's own case state (so the read side can never disagree with the rules),
 * plus its clocks computed once per change. Handoffs, suggestions and copy notices are served from it;
 * secondary indexes find the cases a query needs.
 */
export interface CaseDoc {
  /**
   * The case as the domain folds it, but for its handoffs' request papers (withoutRequestPapers): the document list
   * and note are fixed by the request, read by no rule again, shown by the schema only as `Handoff.documents` (which
   * a case's handoffs take from the handoff board's document of the same handoff), and were about a third of the
   * bytes of a case document, which is written again on every event of the case (issue 14).
   */
  state: ExistingCase;
  handoffDeadlines: Record<string, HandoffDeadline | null>;
  deadlines: CaseDeadline[];
}

export interface CaseProjectionContext {
  deadlines: DeadlineDeps;
}

/** index names on case documents */
export const CaseIndex = {
  all: 'all',
  agency: 'agency',
  kind: 'kind',
  status: 'status',
  defendant: 'defendant',
  handoffTo: 'handoffTo',
  handoffFrom: 'handoffFrom',
  suggestionTo: 'suggestionTo',
  suggestionFrom: 'suggestionFrom',
  noticeRecipient: 'noticeRecipient',
  has: 'has',
  // the attention list has its own read model (projections/attention) and its rule one definition (domain/meetings/attention.ts)
} as const;

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const casesProjection: Projection<CaseProjectionContext> = {
  name: 'cases',
  // 2: revision 2 of the spec (issue 16): community correction, court filings, appearance, agency hierarchy
  // 3: handoffs without their request's documents and note (withoutRequestPapers)
  revision: 3,
  canHandle: CASE_EVENT_TYPES,
  collections: [CASES],
  keys: (event) => (event.streamId.startsWith('case-') ? [[CASES, caseIdOf(event)]] : []),
  evolve(doc, event, ctx) {
    const before = doc as CaseDoc | null;
    const previous: CaseState = before?.state ?? { status: 'none' };
    let state = evolveCase(previous, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) });
    if (state.status === 'none') return { doc: null };
    const named = (event.data as { handoffId?: unknown }).handoffId;
    const handoff = typeof named === 'string' ? state.handoffs[named] : undefined;
    if (handoff !== undefined) {
      // only a request brings papers; the fold builds every later version of the handoff from the stored one
      const kept = withoutRequestPapers(handoff);
      if (kept !== handoff) state = { ...state, handoffs: { ...state.handoffs, [named as string]: kept } };
    }
    if (before === null || previous.status === 'none') {
      const handoffDeadlines: Record<string, HandoffDeadline | null> = {};
      for (const id of Object.keys(state.handoffs)) handoffDeadlines[id] = handoffDeadline(state.handoffs[id]!, ctx.deadlines);
      return { doc: { state, handoffDeadlines, deadlines: caseDeadlines(state, ctx.deadlines) } satisfies CaseDoc, indexes: indexesOf(state) };
    }
    // The usual event changes one handoff of a case that has many (33 at the benchmark's size): everything
    // derived from the parts it did not change is carried over from the previous document rather than
    // recomputed — every clock counts working days day by day, and the index lists walk every handoff.
    // evolveCase keeps the objects of unchanged parts, so unchanged means "the same object".
    let handoffDeadlines = before.handoffDeadlines;
    /** a handoff was added, or one changed its agencies: the handoff indexes are recomputed */
    let handoffAgencies = false;
    if (state.handoffs !== previous.handoffs) {
      // a handoff's clock depends on nothing but the handoff
      if (typeof named === 'string' && state.handoffs[named] !== undefined) {
        // a handoff event changes (or adds) only the handoff it names (evolveCase): its clock is replaced,
        // the others are copied. The spread keeps the key order of the handoff map: an existing key stays
        // where it is, a new one comes last in both.
        const handoff = state.handoffs[named]!;
        const was = previous.handoffs[named];
        handoffDeadlines = { ...before.handoffDeadlines, [named]: handoffDeadline(handoff, ctx.deadlines) };
        handoffAgencies = was === undefined || was.to !== handoff.to || was.from !== handoff.from;
      } else {
        handoffDeadlines = {};
        for (const id in state.handoffs) {
          const handoff = state.handoffs[id]!;
          const was = previous.handoffs[id];
          const kept = was === handoff ? before.handoffDeadlines[id] : undefined;
          handoffDeadlines[id] = kept !== undefined ? kept : handoffDeadline(handoff, ctx.deadlines);
          if (was !== handoff && (was === undefined || was.to !== handoff.to || was.from !== handoff.from)) handoffAgencies = true;
        }
      }
    }
    const deadlines = sameCaseDeadlineInputs(previous, state) ? before.deadlines : caseDeadlines(state, ctx.deadlines);
    const next: CaseDoc = { state, handoffDeadlines, deadlines };
    return { doc: next, indexes: changedIndexes(previous, state, handoffAgencies) };
  },
};

/**
 * Whether caseDeadlines (domain/cases/deadlines.ts) would return what it returned for `before`: it reads the
 * registration (kind, flags, time), the close, the reconsideration, the judgments, the suggestions, the copy
 * notices, the correction report — and the handoffs, but only for a judgment ordering community correction.
 * Conservative: anything it reads that is not the same object or value means recompute. (A unit test folds
 * every event of the demo city both ways.)
 */
function sameCaseDeadlineInputs(before: ExistingCase, after: ExistingCase): boolean {
  if (
    before.status !== after.status ||
    before.closedAt !== after.closedAt ||
    before.kind !== after.kind ||
    before.fastTrack !== after.fastTrack ||
    before.procedure !== after.procedure ||
    before.majorOrComplex !== after.majorOrComplex ||
    before.reconsiderationClock !== after.reconsiderationClock ||
    before.privateEnterprise !== after.privateEnterprise ||
    before.registeredAt !== after.registeredAt ||
    before.reconsideration !== after.reconsideration ||
    before.judgments !== after.judgments ||
    before.suggestions !== after.suggestions ||
    before.copyNotices !== after.copyNotices ||
    before.correctionReportedAt !== after.correctionReportedAt ||
    before.rectifications !== after.rectifications
  ) {
    return false;
  }
  if (before.handoffs === after.handoffs) return true;
  for (const id in after.judgments) if (after.judgments[id]!.communityCorrection) return false;
  return true;
}

/**
 * The indexes whose values may differ from the previous state's; undefined when none may. An index left out
 * keeps its stored entries (projection.ts), which were computed from the same fields of an earlier state.
 * Each one is computed as indexesOf computes it.
 */
function changedIndexes(before: ExistingCase, after: ExistingCase, handoffAgencies: boolean): Record<string, readonly string[]> | undefined {
  let changed: Record<string, readonly string[]> | undefined;
  const set = (index: string, values: readonly string[]): void => {
    (changed ??= {})[index] = values;
  };
  if (before.agencies !== after.agencies) set(CaseIndex.agency, after.agencies);
  if (before.kind !== after.kind) set(CaseIndex.kind, [after.kind]);
  if (before.status !== after.status) set(CaseIndex.status, [after.status.toUpperCase()]);
  if (before.defendantAgencyId !== after.defendantAgencyId) set(CaseIndex.defendant, after.defendantAgencyId ? [after.defendantAgencyId] : []);
  if (handoffAgencies) {
    const handoffs = Object.values(after.handoffs);
    set(CaseIndex.handoffTo, uniq(handoffs.map((h) => h.to)));
    set(CaseIndex.handoffFrom, uniq(handoffs.map((h) => h.from)));
  }
  if (before.suggestions !== after.suggestions) {
    const suggestions = Object.values(after.suggestions);
    set(CaseIndex.suggestionTo, uniq(suggestions.map((x) => x.to)));
    set(CaseIndex.suggestionFrom, uniq(suggestions.map((x) => x.from)));
  }
  if (before.copyNotices !== after.copyNotices) set(CaseIndex.noticeRecipient, uniq(Object.values(after.copyNotices).flatMap((n) => n.recipients)));
  if (before.handoffs !== after.handoffs || before.suggestions !== after.suggestions || before.copyNotices !== after.copyNotices) {
    const has = hasOf(after);
    if (!sameValues(has, hasOf(before))) set(CaseIndex.has, has);
  }
  return changed;
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

const isEmpty = (map: object): boolean => {
  for (const _ in map) return false;
  return true;
};

function hasOf(s: ExistingCase): string[] {
  const has: string[] = [];
  if (!isEmpty(s.handoffs)) has.push('handoffs');
  if (!isEmpty(s.suggestions)) has.push('suggestions');
  if (!isEmpty(s.copyNotices)) has.push('notices');
  return has;
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** every index of a case, computed afresh */
export function indexesOf(s: ExistingCase): Record<string, readonly string[]> {
  const handoffs = Object.values(s.handoffs);
  const suggestions = Object.values(s.suggestions);
  const notices = Object.values(s.copyNotices);
  return {
    [CaseIndex.all]: ['1'],
    [CaseIndex.agency]: s.agencies,
    [CaseIndex.kind]: [s.kind],
    [CaseIndex.status]: [s.status.toUpperCase()],
    [CaseIndex.defendant]: s.defendantAgencyId ? [s.defendantAgencyId] : [],
    [CaseIndex.handoffTo]: uniq(handoffs.map((h) => h.to)),
    [CaseIndex.handoffFrom]: uniq(handoffs.map((h) => h.from)),
    [CaseIndex.suggestionTo]: uniq(suggestions.map((x) => x.to)),
    [CaseIndex.suggestionFrom]: uniq(suggestions.map((x) => x.from)),
    [CaseIndex.noticeRecipient]: uniq(notices.flatMap((n) => n.recipients)),
    [CaseIndex.has]: hasOf(s),
  };
}
