/**
 * The running clocks of graphql.md revision 2 (`clocks`, the 临期/逾期 view): for each thing that carries a clock —
 * a handoff, a suggestion, a copy notice's recipient, the case itself, an action item — which clock it is, whose
 * duty, when due, whether it runs, and which agencies may see it. Pure: every due date comes from the one
 * definition in domain/cases/deadlines.ts (handoffDeadline, suggestionReplyDeadline, noticeAckDeadlines,
 * caseDeadlines), every party list from the one the visibility module uses.
 */
import {
  copyNoticeParties,
  evolveCase,
  handoffParties,
  rectificationParties,
  suggestionParties,
  type CaseEventInput,
  type CaseState,
  type CopyNotice,
  type ExistingCase,
  type Handoff,
  type Rectification,
  type Suggestion,
} from '../cases/case.js';
import {
  caseDeadlines,
  communityCorrectionJudgment,
  handoffDeadline,
  noticeAckDeadlines,
  rectificationDeadline,
  suggestionReplyDeadline,
  type CaseDeadline,
  type DeadlineDeps,
} from '../cases/deadlines.js';
import type { IsoDate } from '../deadlines/index.js';
import type { ActionItem } from '../meetings/meeting.js';

export const CLOCK_KINDS = ['HANDOFF', 'SUGGESTION', 'COPY_NOTICE', 'RECONSIDERATION', 'PERFORMANCE', 'COMMUNITY_CORRECTION', 'RECTIFICATION', 'ACTION_ITEM'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

/** One clock as the `clocks` query lists it. */
export interface ClockFacts {
  /** stable: `<caseId>:<name>`, or the action item id */
  readonly id: string;
  readonly kind: ClockKind;
  /** the Deadline name (Case.deadlines); a handoff's clock is `<purpose>:<handoffId>` */
  readonly name: string;
  readonly caseId: string | null;
  /** the agency whose duty it is */
  readonly owner: string;
  /** null: suspended (中止) — no due date while the period does not run */
  readonly dueDate: IsoDate | null;
  readonly dueDateProvisional: boolean;
  /** started, not stopped and not suspended: only a running clock is filed in the 临期/逾期 index */
  readonly running: boolean;
  /**
   * The agencies that may see it besides organizers and auditors: the parties of the thing it belongs to, as the
   * visibility module sees that thing. An action item lists its owner only: that it is also seen by whoever may
   * see its case is decided when read (gateway/readSide/visibility.ts `clock`), as the case's agencies live in
   * another stream.
   */
  readonly visibleTo: readonly string[];
}

/** the Deadline name of a handoff's clock: the purpose names the clock (deadlines.md), the id tells handoffs apart */
export const handoffClockName = (handoff: Pick<Handoff, 'purpose' | 'id'>): string => `${handoff.purpose}:${handoff.id}`;

export const clockId = (caseId: string, name: string): string => `${caseId}:${name}`;

const fromDeadline = (caseId: string, d: CaseDeadline, kind: ClockKind, owner: string, visibleTo: readonly string[]): ClockFacts => ({
  id: clockId(caseId, d.name),
  kind,
  name: d.name,
  caseId,
  owner,
  dueDate: d.dueDate,
  dueDateProvisional: d.provisional,
  running: d.stoppedAt === null && !d.suspended,
  visibleTo,
});

/** A handoff's clock: the receiver's duty; seen by its parties (the board's rule). Null before the clock starts. */
export function handoffClock(caseId: string, handoff: Handoff, deps: DeadlineDeps): ClockFacts | null {
  const deadline = handoffDeadline(handoff, deps);
  if (deadline === null) return null;
  return {
    id: clockId(caseId, handoffClockName(handoff)),
    kind: 'HANDOFF',
    name: handoffClockName(handoff),
    caseId,
    owner: handoff.to,
    dueDate: deadline.dueDate,
    dueDateProvisional: deadline.provisional,
    running: deadline.stoppedAt === null,
    visibleTo: handoffParties(handoff),
  };
}

/** A suggestion's reply clock: the addressee's duty. Null before receipt or service: no clock yet. */
export function suggestionClock(caseId: string, suggestion: Suggestion, deps: DeadlineDeps): ClockFacts | null {
  const deadline = suggestionReplyDeadline(suggestion, deps);
  return deadline === null ? null : fromDeadline(caseId, deadline, 'SUGGESTION', suggestion.to, suggestionParties(suggestion));
}

/** A copy notice's acknowledgement clocks, one per recipient: each recipient's duty, seen by the notice's recipients. */
export function noticeAckClocks(caseId: string, notice: CopyNotice, deps: DeadlineDeps): ClockFacts[] {
  return noticeAckDeadlines(notice, deps).map((d, i) => fromDeadline(caseId, d, 'COPY_NOTICE', notice.recipients[i]!, copyNoticeParties(notice)));
}

/** A rectification's clock (整改): the duty of the agency it is addressed to; seen by who ordered it and who must act. */
export function rectificationClock(caseId: string, rectification: Rectification): ClockFacts {
  return fromDeadline(caseId, rectificationDeadline(rectification), 'RECTIFICATION', rectification.to, rectificationParties(rectification));
}

/** An action item's clock: its owner's duty, due on its own date (no holiday shift, deadlines.md). */
export function actionItemClock(item: ActionItem): ClockFacts {
  return {
    id: item.actionId,
    kind: 'ACTION_ITEM',
    name: 'action_item',
    caseId: item.caseId,
    owner: item.owner,
    dueDate: item.dueDate,
    dueDateProvisional: false,
    running: item.completedAt === null,
    visibleTo: [item.owner],
  };
}

// ---------------------------------------------------------------------------------------------
// Case-level clocks: at most one of each name per case, so their names are fixed.

export const CASE_LEVEL_CLOCKS = [
  'reconsideration_decision',
  'reconsideration_performance',
  'community_correction_notice',
  'community_correction_delivery',
  'offender_report',
] as const;
export type CaseLevelClock = (typeof CASE_LEVEL_CLOCKS)[number];

const CASE_LEVEL_KIND: Record<CaseLevelClock, ClockKind> = {
  reconsideration_decision: 'RECONSIDERATION',
  reconsideration_performance: 'PERFORMANCE',
  community_correction_notice: 'COMMUNITY_CORRECTION',
  community_correction_delivery: 'COMMUNITY_CORRECTION',
  offender_report: 'COMMUNITY_CORRECTION',
};

/** The clock's kind from its Deadline name (Case.deadlines names, and `<purpose>:<handoffId>` for handoffs). */
export function clockKindOfName(name: string): ClockKind {
  if (name in CASE_LEVEL_KIND) return CASE_LEVEL_KIND[name as CaseLevelClock];
  if (name.startsWith('suggestion_reply:')) return 'SUGGESTION';
  if (name.startsWith('notice_ack:')) return 'COPY_NOTICE';
  if (name.startsWith('rectification:')) return 'RECTIFICATION';
  return 'HANDOFF';
}

/**
 * Whose duty a case-level clock is:
 * - reconsideration decision: the 复议机构 that registered (受理) the case;
 * - performance (履行): the agency whose act was corrected (被申请人);
 * - community-correction notice (通知) and delivery: the court whose judgment ordered it (it must notify the
 *   社区矫正机构 and deliver the files);
 * - offender report (报到): the justice bureau the files went to (the community_correction handoff's receiver) —
 *   until they are sent the court, as nobody else knows yet that the offender must report.
 */
export function caseClockOwner(name: CaseLevelClock, state: ExistingCase): string {
  const court = communityCorrectionJudgment(Object.values(state.judgments))?.issuedBy ?? state.registeredBy;
  switch (name) {
    case 'reconsideration_decision':
      return state.registeredBy;
    case 'reconsideration_performance':
      return state.defendantAgencyId ?? state.registeredBy;
    case 'community_correction_notice':
    case 'community_correction_delivery':
      return court;
    case 'offender_report': {
      const first = Object.values(state.handoffs)
        .filter((h) => h.purpose === 'community_correction')
        .sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt))[0];
      return first?.to ?? court;
    }
    default: {
      const _exhaustive: never = name;
      throw new RangeError(`unknown case-level clock: ${String(_exhaustive)}`);
    }
  }
}

/** The case-level clocks of a case that have started (seen by whoever may see the case), in Case.deadlines order. */
export function caseLevelClocks(state: CaseState, deps: DeadlineDeps): ClockFacts[] {
  if (state.status === 'none') return [];
  return caseDeadlines(state, deps)
    .filter((d): boolean => d.name in CASE_LEVEL_KIND)
    .map((d) => fromDeadline(state.id, d, CASE_LEVEL_KIND[d.name as CaseLevelClock], caseClockOwner(d.name as CaseLevelClock, state), state.agencies));
}

/**
 * The facts of a case the case-level clocks read, after one more event: the case fold (evolveCase, the one
 * definition) without what none of those clocks reads and what makes a case large — its other handoffs, its
 * suggestions, copy notices, parties and self-corrections. The community_correction handoffs stay (delivery is
 * their request; the report's owner is their receiver), the hearings stay (a held hearing involves its observers
 * only when it was scheduled), and so do the case's agencies (who may see these clocks).
 */
export function evolveCaseClockFacts(facts: CaseState, event: CaseEventInput): CaseState {
  const next = evolveCase(facts, event);
  if (next === facts || next.status === 'none') return next;
  // most of a case's events are about what the facts leave out: unless they involve a new agency, the facts stay
  // the same object — no case-level clock is recomputed and nothing is written (a rebuild's hot path)
  if (facts.status !== 'none' && next.agencies === facts.agencies && aboutLeftOut(facts, event)) return facts;
  const handoffs = Object.values(next.handoffs);
  const keep = handoffs.filter((h) => h.purpose === 'community_correction');
  const trimmed =
    keep.length === handoffs.length &&
    next.parties.length === 0 &&
    next.selfCorrections.length === 0 &&
    Object.keys(next.suggestions).length === 0 &&
    Object.keys(next.copyNotices).length === 0 &&
    Object.keys(next.rectifications ?? {}).length === 0 &&
    (next.dispute ?? null) === null &&
    (next.accountabilityReviews ?? []).length === 0;
  if (trimmed) return next;
  return {
    ...next,
    parties: [],
    selfCorrections: [],
    suggestions: {},
    copyNotices: {},
    rectifications: {},
    dispute: null,
    accountabilityReviews: [],
    handoffs: Object.fromEntries(keep.map((h) => [h.id, h])),
  };
}

const LEFT_OUT_TYPES: ReadonlySet<string> = new Set([
  'suggestion.issued',
  'suggestion.served',
  'suggestion.received',
  'suggestion.replied',
  'notice.issued',
  'notice.acknowledged',
  'self_correction.reported',
  // rectifications carry their own clocks (rectificationClock); disputes and reviews carry none
  'rectification.ordered',
  'rectification.completed',
  'dispute.consulted',
  'dispute.concluded',
  'accountability.reviewed',
]);

/** The event changes only what evolveCaseClockFacts leaves out: another purpose's handoff, a suggestion, a notice … */
function aboutLeftOut(facts: ExistingCase, event: CaseEventInput): boolean {
  if (LEFT_OUT_TYPES.has(event.type)) return true;
  if (!event.type.startsWith('handoff.')) return false;
  const data = event.data as { handoffId?: unknown; purpose?: unknown };
  if (typeof data.handoffId !== 'string' || data.handoffId in facts.handoffs) return false;
  return event.type !== 'handoff.requested' || data.purpose !== 'community_correction';
}
