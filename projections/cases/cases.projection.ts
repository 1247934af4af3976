import {
  caseDeadlines,
  CASE_EVENT_TYPES,
  evolveCase,
  evolveHandoffLink,
  HANDOFF_EVENT_TYPES,
  type CaseDeadline,
  type ExistingCase,
  type HandoffLink,
  type LinkedCase,
} from '../../domain/catalog/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import { withEntry } from '../../domain/shared/keyed.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';

export const CASES = 'cases';

/**
 * The case read model: the domain's own case state (so the read side can never disagree with the rules), its
 * handoffs as links, plus its case-level clocks computed once per change. Suggestions and copy notices are served
 * from it; a case's handoffs, whole and with their clocks, are the handoff board's documents of them; secondary
 * indexes find the cases a query needs.
 */
export interface CaseDoc {
  /**
   * The case as the domain folds it, each handoff kept as its link (HandoffLink: parties, purpose, request and
   * receipt). A case is written again on every event that changes it, and its whole handoffs with their clocks were
   * written again with it (the benchmark's 200,000-event store: 9,155 characters a case on average, 3,927 with links);
   * an event of one handoff now changes the case only when it changes that handoff's link or the case's agencies.
   */
  state: LinkedCase;
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

const HANDOFF_EVENTS: ReadonlySet<string> = new Set(HANDOFF_EVENT_TYPES);
const NO_HANDOFFS: ExistingCase['handoffs'] = Object.freeze({});

/**
 * The case after one more event, its handoffs as links: the case fold (evolveCase, the one definition) of the case
 * without its handoffs gives what the event changes of the case itself (a handoff event involves its agencies), and
 * the link of the handoff the event names follows the handoff's own definition (evolveHandoffLink). Parts the event
 * does not change keep their objects; a case the event does not change is `previous` itself.
 */
export function evolveLinkedCase(previous: LinkedCase | null, event: RecordedEvent): LinkedCase | null {
  const input = { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) };
  const bare: ExistingCase | { status: 'none' } = previous === null ? { status: 'none' } : ({ ...previous, handoffs: NO_HANDOFFS } as ExistingCase);
  const folded = evolveCase(bare, input);
  if (folded.status === 'none') return null;
  let links = previous?.handoffs ?? NO_HANDOFFS;
  const named = (event.data as { handoffId?: unknown }).handoffId;
  if (HANDOFF_EVENTS.has(event.type) && typeof named === 'string') {
    const was = links[named];
    const link = evolveHandoffLink(was ?? null, input);
    if (link !== null && link !== was) links = withEntry(links, named, link);
  }
  if (folded === bare) return links === previous!.handoffs ? previous : { ...previous!, handoffs: links };
  return { ...folded, handoffs: links };
}

export const casesProjection: Projection<CaseProjectionContext> = {
  name: 'cases',
  // 2: revision 2 of the spec (issue 16): community correction, court filings, appearance, agency hierarchy
  // 3: handoffs without their request's documents and note (withoutRequestPapers)
  // 4: handoffs as links, their clocks left to the handoff board (CaseDoc.state)
  revision: 4,
  canHandle: CASE_EVENT_TYPES,
  collections: [CASES],
  keys: (event) => (event.streamId.startsWith('case-') ? [[CASES, caseIdOf(event)]] : []),
  evolve(doc, event, ctx) {
    const before = doc as CaseDoc | null;
    const state = evolveLinkedCase(before?.state ?? null, event);
    if (state === null) return { doc: null };
    if (before === null) {
      return { doc: { state, deadlines: caseDeadlines(state, ctx.deadlines) } satisfies CaseDoc, indexes: indexesOf(state) };
    }
    const previous = before.state;
    // most events of a case with many handoffs change one handoff's status: its link, and so the case, stays
    if (state === previous) return { doc: before };
    const deadlines = sameCaseDeadlineInputs(previous, state) ? before.deadlines : caseDeadlines(state, ctx.deadlines);
    const next: CaseDoc = { state, deadlines };
    return { doc: next, indexes: changedIndexes(previous, state, handoffAgenciesChanged(previous.handoffs, state.handoffs)) };
  },
};

/** a handoff was added, or one changed its agencies: the handoff indexes are recomputed */
function handoffAgenciesChanged(before: LinkedCase['handoffs'], after: LinkedCase['handoffs']): boolean {
  if (before === after) return false;
  for (const id in after) {
    const was = before[id];
    const link: HandoffLink = after[id]!;
    if (was !== link && (was === undefined || was.to !== link.to || was.from !== link.from)) return true;
  }
  return false;
}

/**
 * Whether caseDeadlines (domain/cases/deadlines.ts) would return what it returned for `before`: it reads the
 * registration (kind, flags, time), the close, the reconsideration, the judgments, the suggestions, the copy
 * notices, the correction report — and the handoffs, but only for a judgment ordering community correction.
 * Conservative: anything it reads that is not the same object or value means recompute. (A unit test folds
 * every event of the demo city both ways.)
 */
function sameCaseDeadlineInputs(before: LinkedCase, after: LinkedCase): boolean {
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
function changedIndexes(before: LinkedCase, after: LinkedCase, handoffAgencies: boolean): Record<string, readonly string[]> | undefined {
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

function hasOf(s: LinkedCase): string[] {
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
export function indexesOf(s: LinkedCase): Record<string, readonly string[]> {
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
