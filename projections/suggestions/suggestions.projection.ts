import { evolveSuggestion, suggestionParties, suggestionReplyDeadline, SUGGESTION_EVENT_TYPES, type CaseDeadline, type Suggestion } from '../../domain/catalog/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import { isOverdue, type IsoDate } from '../../domain/deadlines/index.js';
import type { RecordedEvent } from '../../ports/eventStore.js';
import type { Projection } from '../projection.js';
import { issuedKey, scopeRange, TAIL } from '../issuedOrder.js';

/**
 * The suggestions list (graphql.md `suggestions`): one small document per suggestion (检察建议 / 司法建议), folded
 * from that suggestion's own events (domain/cases/case.ts evolveSuggestion, the definition the case fold uses), with
 * its reply clock (suggestionReplyDeadline, the clock caseDeadlines lists as `suggestion_reply:<id>`) and the
 * agencies that may see it. One ordered index answers every question: each scope a question can ask for is a range
 * whose entries are in the answer's order, and whether the suggestion is overdue on a given day is decided from
 * the entry itself (see `suggestionEntries`).
 */
export const SUGGESTIONS = 'suggestions';

export interface SuggestionDoc {
  caseId: string;
  suggestion: Suggestion;
  /** the reply clock: every suggestion has one from the day it is issued */
  /** null before receipt or service: no reply clock yet */
  deadline: CaseDeadline | null;
  /** the agencies that may see it besides organizers and auditors (suggestionParties) */
  visibleTo: readonly string[];
}

export interface SuggestionsContext {
  deadlines: DeadlineDeps;
}

/** the one index of the suggestions' documents */
export const SUGGESTION_INDEX = 'issued';

const enc = encodeURIComponent;
/**
 * Scopes: each suggestion is filed once under every scope that holds it, so the set a question asks for is one
 * scope (`suggestionScope`). Agency ids are URI-encoded, so no `|` or `>` of theirs can move a range.
 */
export const SuggestionScope = {
  all: '*',
  to: (agency: string) => `t:${enc(agency)}`,
  fromTo: (from: string, to: string) => `ft:${enc(from)}>${enc(to)}`,
  /** the suggestions a viewer of this agency may see */
  visibleTo: (agency: string) => `v:${enc(agency)}`,
};

/** the document id of a suggestion: a suggestion id is unique within its case only */
export const suggestionDocId = (caseId: string, suggestionId: string): string => `${enc(caseId)}/${enc(suggestionId)}`;

/** what the tail of an entry holds when the reply clock has stopped (replied): never overdue */
const STOPPED = '-';

/**
 * `<scope>|<issuedAt, UTC>|<document id> <due date while the clock runs, else ->`. Up to the tail, a scope's
 * entries are in the list's order (issued first, then by id); the tail is what "overdue" needs and changes only
 * with the suggestion's own events (a reply stops the clock), so today's date decides it without the document.
 */
export const suggestionEntries = (id: string, doc: SuggestionDoc): string[] => {
  const { from, to } = doc.suggestion;
  const scopes = [SuggestionScope.all, SuggestionScope.to(to), SuggestionScope.fromTo(from, to), ...doc.visibleTo.map(SuggestionScope.visibleTo)];
  const tail = `|${issuedKey(doc.suggestion.issuedAt)}|${id}${TAIL}${doc.deadline !== null && doc.deadline.stoppedAt === null && doc.deadline.dueDate !== null ? doc.deadline.dueDate : STOPPED}`;
  return scopes.map((scope) => scope + tail);
};

/** Overdue on `today` as the entry has it: the domain's rule (isOverdue) on the due date it carries. */
export const entryOverdue = (value: string, today: IsoDate): boolean => {
  const due = value.slice(value.lastIndexOf(TAIL) + TAIL.length);
  return isOverdue({ dueDate: due, stopped: due === STOPPED }, today);
};

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const suggestionsProjection: Projection<SuggestionsContext> = {
  name: 'suggestions',
  canHandle: SUGGESTION_EVENT_TYPES,
  collections: [SUGGESTIONS],
  // read only by range: every value is unique to its document, a per-value set would be one key per entry in Redis
  rangeIndexes: [SUGGESTION_INDEX],
  keys(event) {
    const suggestionId = (event.data as { suggestionId?: unknown }).suggestionId;
    if (!event.streamId.startsWith('case-') || typeof suggestionId !== 'string') return [];
    return [[SUGGESTIONS, suggestionDocId(caseIdOf(event), suggestionId)]];
  },
  evolve(doc, event, ctx) {
    const before = doc as SuggestionDoc | null;
    const suggestion = evolveSuggestion(before?.suggestion ?? null, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source });
    if (suggestion === null || suggestion === before?.suggestion) return { doc: before };
    const caseId = caseIdOf(event);
    const next: SuggestionDoc = { caseId, suggestion, deadline: suggestionReplyDeadline(suggestion, ctx.deadlines), visibleTo: suggestionParties(suggestion) };
    return { doc: next, indexes: { [SUGGESTION_INDEX]: suggestionEntries(suggestionDocId(caseId, suggestion.id), next) } };
  },
};

// ---------------------------------------------------------------------------------------------
// Reading: which scope answers a question.

export interface SuggestionQuestion {
  /** null: sees every suggestion (organizer, auditor); otherwise the viewer's agency */
  viewer: string | null;
  toAgency?: string | null;
}

/**
 * The range of the one scope holding exactly the suggestions the question may list. A viewer may see what it
 * sent or received (suggestionParties): to another agency, that is what it sent there — the pair scope.
 */
export function suggestionScope(q: SuggestionQuestion): { from: string; to: string } {
  const to = q.toAgency || null;
  const v = q.viewer;
  if (to === null) return scopeRange(v === null ? SuggestionScope.all : SuggestionScope.visibleTo(v));
  return scopeRange(v === null || v === to ? SuggestionScope.to(to) : SuggestionScope.fromTo(v, to));
}
