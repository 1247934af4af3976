import {
  caseDeadlines,
  CASE_EVENT_TYPES,
  evolveCase,
  handoffDeadline,
  type CaseDeadline,
  type CaseState,
  type ExistingCase,
  type HandoffDeadline,
} from '../../domain/catalog/index.js';
import type { DeadlineDeps } from '../../domain/cases/deadlines.js';
import type { RecordedEvent } from '../../infra/eventStore/eventStore.js';
import type { Projection } from '../projection.js';

export const CASES = 'cases';

/**
 * The case read model: the domain's own case state (so the read side can never disagree with the rules),
 * plus its clocks computed once per change. Handoffs, suggestions and copy notices are served from it;
 * secondary indexes find the cases a query needs.
 */
export interface CaseDoc {
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
  /** standing attention reasons that do not depend on today's date */
  attention: 'attention',
} as const;

const caseIdOf = (event: RecordedEvent): string => event.streamId.slice('case-'.length);

export const casesProjection: Projection<CaseProjectionContext> = {
  name: 'cases',
  canHandle: CASE_EVENT_TYPES,
  collections: [CASES],
  keys: (event) => (event.streamId.startsWith('case-') ? [[CASES, caseIdOf(event)]] : []),
  evolve(doc, event, ctx) {
    const before = doc as CaseDoc | null;
    const previous: CaseState = before?.state ?? { status: 'none' };
    const state = evolveCase(previous, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: caseIdOf(event) });
    if (state.status === 'none') return { doc: null };
    // evolveCase keeps the object of every handoff the event did not touch, and a handoff's clock depends on
    // nothing else: those clocks are carried over instead of recounted (a case with many handoffs would
    // otherwise count working days for all of them on every event — the bulk of a rebuild)
    const unchanged = previous.status === 'none' ? null : previous.handoffs;
    const handoffDeadlines: Record<string, HandoffDeadline | null> = {};
    for (const [id, handoff] of Object.entries(state.handoffs)) {
      const kept = unchanged?.[id] === handoff ? before?.handoffDeadlines[id] : undefined;
      handoffDeadlines[id] = kept !== undefined ? kept : handoffDeadline(handoff, ctx.deadlines);
    }
    const next: CaseDoc = { state, handoffDeadlines, deadlines: caseDeadlines(state, ctx.deadlines) };
    return { doc: next, indexes: indexesOf(state) };
  },
};

function indexesOf(s: ExistingCase): Record<string, readonly string[]> {
  const handoffs = Object.values(s.handoffs);
  const suggestions = Object.values(s.suggestions);
  const notices = Object.values(s.copyNotices);
  const has: string[] = [];
  if (handoffs.length) has.push('handoffs');
  if (suggestions.length) has.push('suggestions');
  if (notices.length) has.push('notices');
  const attention: string[] = [];
  if (s.judgment?.outcome === 'agency_lost') attention.push('agency_lost');
  if (s.reconsideration?.corrective) attention.push('reconsideration_corrected');
  if (s.reconsideration?.corrective && s.reconsideration.performanceDueAt && !s.reconsideration.performedAt) attention.push('performance_pending');
  if (s.kind === 'government_dispute' && s.major) attention.push('major_dispute');
  const uniq = (xs: string[]) => [...new Set(xs)];
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
    [CaseIndex.has]: has,
    [CaseIndex.attention]: attention,
  };
}
