import {
  CASE_EVENT_TYPES,
  evolveActionItem,
  evolveCopyNotice,
  evolveHandoff,
  evolveRectification,
  RECTIFICATION_EVENT_TYPES,
  type Rectification,
  evolveSuggestion,
  HANDOFF_EVENT_TYPES,
  initialCaseState,
  SUGGESTION_EVENT_TYPES,
  type ActionItem,
  type CaseEventInput,
  type CaseState,
  type CopyNotice,
  type Handoff,
  type Suggestion,
  withoutRequestPapers,
} from '../../domain/catalog/index.js';
import {
  actionItemClock,
  caseLevelClocks,
  evolveCaseClockFacts,
  handoffClock,
  noticeAckClocks,
  rectificationClock,
  suggestionClock,
  type ClockFacts,
  type ClockKind,
} from '../../domain/clocks/runningClocks.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { IsoDate } from '../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { IndexBounds } from '../../ports/readModelStore.js';
import type { Projection } from '../projection.js';

/**
 * Running clocks (graphql.md revision 2 `clocks`, the 临期/逾期 view), folded from the events of the thing that
 * carries them — a handoff, a suggestion, a copy notice, an action item, and the case itself for its case-level
 * clocks — with what each clock is (domain/clocks/runningClocks.ts). One small document per thing: a projection's
 * evolve sees one document and the event, not the key, so the clocks one event creates together (a notice's
 * recipients, a case's case-level clocks) live in the document of the thing that carries them; most things carry
 * one clock. Every running clock is filed in one ordered index under `<scope>|<dueDate>|<clock id>`, so "overdue"
 * and "due within N working days" are range reads and their counts range counts; a stopped clock is filed nowhere.
 */
export const CLOCKS = 'clocks';

/** what a document's clocks are folded from: the one thing whose events move them */
export type ClockSource =
  /** without its request's papers (withoutRequestPapers): no clock reads them, and they were a fifth of its bytes */
  | { readonly handoff: Handoff }
  | { readonly suggestion: Suggestion }
  | { readonly notice: CopyNotice }
  | { readonly actionItem: ActionItem }
  | { readonly rectification: Rectification }
  /** the projection's own small per-case input: the case without what its case-level clocks do not read */
  | { readonly case: CaseState };

export interface ClockDoc {
  /** the thing's clocks that have started, running or stopped (a handoff not yet received has none) */
  clocks: ClockFacts[];
  source: ClockSource;
}

export interface ClocksContext {
  deadlines: DeadlineDeps;
}

/** the one index of the clock documents */
export const CLOCK_INDEX = 'running';

/** due date of a running clock without one: after every date */
export const UNDATED: IsoDate = '9999-99-99';

const enc = encodeURIComponent;
/**
 * Scopes: each running clock is filed once under every scope that contains it, so the set a question asks for is
 * one scope. Agency ids are URI-encoded, so no `|` or `>` of theirs can move a range.
 */
export const ClockScope = {
  all: '*',
  owner: (agency: string) => `o:${enc(agency)}`,
  kind: (kind: ClockKind) => `k:${kind}`,
  ownerKind: (agency: string, kind: ClockKind) => `ok:${enc(agency)}>${kind}`,
  /** the clocks a viewer of this agency may see by their `visibleTo` */
  visibleTo: (viewer: string) => `v:${enc(viewer)}`,
  visibleKind: (viewer: string, kind: ClockKind) => `vk:${enc(viewer)}>${kind}`,
  visibleOwner: (viewer: string, agency: string) => `vo:${enc(viewer)}>${enc(agency)}`,
  visibleOwnerKind: (viewer: string, agency: string, kind: ClockKind) => `vok:${enc(viewer)}>${enc(agency)}>${kind}`,
  /** action items on a case: also seen by whoever may see the case, which is decided when read */
  caseActionItems: 'ac',
};

/** the part of an entry's value after `<scope>|`: `dueDate|clock id`, the order of the view and its cursor's key */
export const clockKey = (clock: ClockFacts): string => `${clock.dueDate ?? UNDATED}|${clock.id}`;

/** the clock id at the end of an index value (`<scope>|<dueDate>|<clock id>`; scopes and dates hold no `|`) */
export const clockIdOfValue = (value: string): string => value.split('|').slice(2).join('|');

export function clockEntries(clock: ClockFacts): string[] {
  if (!clock.running) return [];
  const { owner, kind } = clock;
  const scopes = [ClockScope.all, ClockScope.owner(owner), ClockScope.kind(kind), ClockScope.ownerKind(owner, kind)];
  for (const viewer of clock.visibleTo) {
    scopes.push(ClockScope.visibleTo(viewer), ClockScope.visibleKind(viewer, kind));
    // a viewer asking for its own clocks reads the owner scope: every owner may see its clocks
    if (viewer !== owner) scopes.push(ClockScope.visibleOwner(viewer, owner), ClockScope.visibleOwnerKind(viewer, owner, kind));
  }
  if (kind === 'ACTION_ITEM' && clock.caseId !== null) scopes.push(ClockScope.caseActionItems);
  const tail = `|${clockKey(clock)}`;
  return scopes.map((scope) => scope + tail);
}

/** Document ids: from the ids the thing's own events carry (a handoff's follow-ups do not repeat its purpose). */
export const ClockDocId = {
  handoff: (caseId: string, handoffId: string) => `h:${enc(caseId)}/${enc(handoffId)}`,
  suggestion: (caseId: string, suggestionId: string) => `s:${enc(caseId)}/${enc(suggestionId)}`,
  notice: (caseId: string, noticeId: string) => `n:${enc(caseId)}/${enc(noticeId)}`,
  case: (caseId: string) => `c:${enc(caseId)}`,
  actionItem: (actionId: string) => `a:${enc(actionId)}`,
  rectification: (caseId: string, rectificationId: string) => `r:${enc(caseId)}/${enc(rectificationId)}`,
};

const ACTION_ITEM_EVENTS: readonly string[] = ['action_item.assigned', 'action_item.completed'];
const HANDOFF_EVENTS: readonly string[] = HANDOFF_EVENT_TYPES;
const SUGGESTION_EVENTS: readonly string[] = SUGGESTION_EVENT_TYPES;
const RECTIFICATION_EVENTS: readonly string[] = RECTIFICATION_EVENT_TYPES;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const inputOf = (event: RecordedEvent, subject?: string): CaseEventInput => ({
  type: event.type,
  data: event.data,
  time: event.metadata.time,
  source: event.metadata.source,
  ...(subject === undefined ? {} : { subject }),
});

const caseIdOf = (event: RecordedEvent): string | null => (event.streamId.startsWith('case-') ? event.streamId.slice('case-'.length) : null);

export const clocksProjection: Projection<ClocksContext> = {
  name: 'clocks',
  // 2: revision 2 of the spec (issue 16): rectification clocks
  // 3: a handoff's document without its request's papers
  revision: 3,
  canHandle: [...CASE_EVENT_TYPES, ...ACTION_ITEM_EVENTS],
  collections: [CLOCKS],
  // read only by range: no per-value set in Redis for values that are all unique
  rangeIndexes: [CLOCK_INDEX],
  keys(event) {
    const data = event.data as Record<string, unknown>;
    if (event.streamId.startsWith('meeting-')) {
      const actionId = str(data.actionId);
      return actionId !== null && ACTION_ITEM_EVENTS.includes(event.type) ? [[CLOCKS, ClockDocId.actionItem(actionId)]] : [];
    }
    const caseId = caseIdOf(event);
    if (caseId === null) return [];
    // every case event may involve a new agency, who may then see the case-level clocks
    const keys: (readonly [string, string])[] = [[CLOCKS, ClockDocId.case(caseId)]];
    const handoffId = str(data.handoffId);
    if (HANDOFF_EVENTS.includes(event.type) && handoffId !== null) keys.push([CLOCKS, ClockDocId.handoff(caseId, handoffId)]);
    const suggestionId = str(data.suggestionId);
    if (SUGGESTION_EVENTS.includes(event.type) && suggestionId !== null) {
      keys.push([CLOCKS, ClockDocId.suggestion(caseId, suggestionId)]);
    }
    const noticeId = str(data.noticeId);
    if ((event.type === 'notice.issued' || event.type === 'notice.acknowledged') && noticeId !== null) keys.push([CLOCKS, ClockDocId.notice(caseId, noticeId)]);
    const rectificationId = str(data.rectificationId);
    if (RECTIFICATION_EVENTS.includes(event.type) && rectificationId !== null) keys.push([CLOCKS, ClockDocId.rectification(caseId, rectificationId)]);
    return keys;
  },
  evolve(stored, event, ctx) {
    const before = stored as ClockDoc | null;
    const next = evolveClockDoc(before, event, ctx.deadlines);
    if (next === before) return { doc: before };
    if (next === null) return { doc: null };
    // the case input changes with most case events; its clocks (and so its index entries) seldom do
    if (before !== null && JSON.stringify(before.clocks) === JSON.stringify(next.clocks)) return { doc: next };
    return { doc: next, indexes: { [CLOCK_INDEX]: next.clocks.flatMap(clockEntries) } };
  },
};

/**
 * The document after one event, `before` itself when the event changes nothing of it. Which thing a document
 * follows is known from the document, or — for the event that creates it — from the event (the event's type tells
 * which of the keys it touched is new). Null: no such thing (a follow-up of something that does not exist).
 */
export function evolveClockDoc(before: ClockDoc | null, event: RecordedEvent, deps: DeadlineDeps): ClockDoc | null {
  const input = inputOf(event);
  const caseId = caseIdOf(event);
  if (before === null) return created(event, caseId, deps);
  const source = before.source;
  if ('actionItem' in source) {
    const item = evolveActionItem(source.actionItem, input, source.actionItem.meetingId);
    return item === null || item === source.actionItem ? before : { clocks: [actionItemClock(item)], source: { actionItem: item } };
  }
  if (caseId === null) return before;
  if ('handoff' in source) {
    const handoff = evolveHandoff(source.handoff, input);
    return handoff === null || handoff === source.handoff ? before : handoffDoc(caseId, handoff, deps);
  }
  if ('suggestion' in source) {
    const suggestion = evolveSuggestion(source.suggestion, input);
    return suggestion === null || suggestion === source.suggestion ? before : suggestionDoc(caseId, suggestion, deps);
  }
  if ('notice' in source) {
    const notice = evolveCopyNotice(source.notice, input);
    return notice === null || notice === source.notice ? before : { clocks: noticeAckClocks(caseId, notice, deps), source: { notice } };
  }
  if ('rectification' in source) {
    const rectification = evolveRectification(source.rectification, input);
    return rectification === null || rectification === source.rectification ? before : rectificationDoc(caseId, rectification);
  }
  const facts = evolveCaseClockFacts(source.case, inputOf(event, caseId));
  return facts === source.case ? before : { clocks: caseLevelClocks(facts, deps), source: { case: facts } };
}

const handoffDoc = (caseId: string, handoff: Handoff, deps: DeadlineDeps): ClockDoc => {
  const clock = handoffClock(caseId, handoff, deps);
  return { clocks: clock ? [clock] : [], source: { handoff: withoutRequestPapers(handoff) } };
};

const suggestionDoc = (caseId: string, suggestion: Suggestion, deps: DeadlineDeps): ClockDoc => {
  const clock = suggestionClock(caseId, suggestion, deps);
  return { clocks: clock ? [clock] : [], source: { suggestion } };
};

const rectificationDoc = (caseId: string, rectification: Rectification): ClockDoc => ({ clocks: [rectificationClock(caseId, rectification)], source: { rectification } });

/** The document an event creates (each key an event touches is new for one type only); null when it creates none. */
function created(event: RecordedEvent, caseId: string | null, deps: DeadlineDeps): ClockDoc | null {
  const input = inputOf(event);
  if (event.type === 'action_item.assigned') {
    const item = evolveActionItem(null, input, event.streamId.slice('meeting-'.length));
    return item ? { clocks: [actionItemClock(item)], source: { actionItem: item } } : null;
  }
  if (caseId === null) return null;
  switch (event.type) {
    case 'case.registered': {
      const facts = evolveCaseClockFacts(initialCaseState(), inputOf(event, caseId));
      return facts.status === 'none' ? null : { clocks: caseLevelClocks(facts, deps), source: { case: facts } };
    }
    case 'handoff.requested': {
      const handoff = evolveHandoff(null, input);
      return handoff ? handoffDoc(caseId, handoff, deps) : null;
    }
    case 'suggestion.issued': {
      const suggestion = evolveSuggestion(null, input);
      return suggestion ? suggestionDoc(caseId, suggestion, deps) : null;
    }
    case 'notice.issued': {
      const notice = evolveCopyNotice(null, input);
      return notice ? { clocks: noticeAckClocks(caseId, notice, deps), source: { notice } } : null;
    }
    case 'rectification.ordered': {
      const rectification = evolveRectification(null, input);
      return rectification ? rectificationDoc(caseId, rectification) : null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the view: which scope answers a question, and which range of it.

export interface ClockQuestion {
  /** null: sees every clock (organizer, auditor); otherwise the viewer's agency */
  viewer: string | null;
  agency?: string | null;
  kind?: ClockKind | null;
}

/**
 * The scope holding every running clock the question may match that the caller may see by `visibleTo`. For a
 * viewer, action items on cases it may see are added when read from `caseActionItems`.
 */
export function clockScope(q: ClockQuestion): string {
  const agency = q.agency || null;
  const kind = q.kind || null;
  const v = q.viewer;
  if (v === null || (agency !== null && agency === v)) {
    if (agency === null) return kind === null ? ClockScope.all : ClockScope.kind(kind);
    return kind === null ? ClockScope.owner(agency) : ClockScope.ownerKind(agency, kind);
  }
  if (agency === null) return kind === null ? ClockScope.visibleTo(v) : ClockScope.visibleKind(v, kind);
  return kind === null ? ClockScope.visibleOwner(v, agency) : ClockScope.visibleOwnerKind(v, agency, kind);
}

const TOP = '\u{10ffff}';

/** a range of one scope; `prefix` is `<scope>|`, followed in every value by the clock key */
export interface ClockRange extends IndexBounds {
  prefix: string;
  from: string;
  to: string;
}

/**
 * The due dates a question covers: overdue = before today; due within n working days = today up to `lastDue`;
 * overdue false = from today on (undated included). Null: nothing can match (overdue and due within at once).
 */
export function clockRange(scope: string, q: { overdue?: boolean | null; lastDue?: IsoDate | null }, today: IsoDate): ClockRange | null {
  const prefix = `${scope}|`;
  const within = q.lastDue ?? null;
  if (q.overdue === true && within !== null) return null;
  // `<prefix><today>` lies above every value due earlier and below every value due today
  if (q.overdue === true) return { prefix, from: prefix, to: prefix + today };
  if (within !== null) return { prefix, from: prefix + today, to: `${prefix}${within}|${TOP}` };
  if (q.overdue === false) return { prefix, from: prefix + today, to: prefix + TOP };
  return { prefix, from: prefix, to: prefix + TOP };
}
