/**
 * The clocks of deadlines.md applied to a case's state. Pure: the calendar and the local policy come in.
 *
 * `metAt` is the time of the event that stops the clock as deadlines.md names it (on time or late is
 * `isLate({ dueDate, stoppedOn: chinaDate(metAt) })`). `stoppedAt` is when the clock stopped running for any
 * reason: met, or ended without its stopping event — a handoff returned (补正) or withdrawn, or a case closed
 * while a clock whose stopping event a closed case no longer accepts was still running. Overdue is
 * `isOverdue({ dueDate, stopped: stoppedAt !== null }, today)`.
 */
import {
  COMMUNITY_CORRECTION_DELIVERY,
  OFFENDER_REPORT,
  chinaDate,
  computeDueDate,
  fixedDueDate,
  handoffClockRule,
  handoffDueDate,
  isLate,
  isOverdue,
  noticeAckPeriod,
  reconsiderationDecisionPeriod,
  suggestionReplyPeriod,
  type DeadlinePolicy,
  type IsoDate,
  type WorkingDayCalendar,
} from '../deadlines/index.js';
import { extensionsOf, type CaseState, type CopyNotice, type Handoff, type Judgment, type Suggestion } from './case.js';

export interface DeadlineDeps {
  readonly calendar: WorkingDayCalendar;
  readonly policy: DeadlinePolicy;
}

export interface CaseDeadline {
  /**
   * graphql.md names: reconsideration_decision, community_correction_delivery, offender_report,
   * suggestion_reply:<suggestionId>, reconsideration_performance, notice_ack:<noticeId>:<agencyId>
   */
  readonly name: string;
  readonly dueDate: IsoDate;
  readonly provisional: boolean;
  /** time of the stopping event; null while it has not happened */
  readonly metAt: string | null;
  /** when the clock stopped running for any reason (metAt, or the end that made it moot); null while running */
  readonly stoppedAt: string | null;
}

export interface HandoffDeadline {
  readonly dueDate: IsoDate;
  readonly provisional: boolean;
  /** time of the stopping event of the purpose's clock (receipt or completion) */
  readonly metAt: string | null;
  /** metAt, or the return/withdrawal that ended the handoff first; null while the clock runs */
  readonly stoppedAt: string | null;
  /** legal basis of the clock, for people */
  readonly basis: string;
}

/**
 * The clock of one handoff (deadlines.md table), extension included; null while its clock has not started
 * (e.g. not yet received), or when the handoff ended before it started.
 */
export const handoffDeadline = (handoff: Handoff, deps: DeadlineDeps): HandoffDeadline | null => {
  const rule = handoffRule(handoff, deps.policy);
  const startedAt = handoffClockStart(handoff, deps.policy);
  if (startedAt === null) return null;
  const { dueDate, provisional } = handoffDueDate({
    start: chinaDate(startedAt),
    rule,
    extensions: extensionsOf(handoff),
    inCustody: handoff.inCustody ?? false,
    calendar: deps.calendar,
  });
  const metAt = rule.stopsOn === 'received' ? handoff.receivedAt : handoff.completedAt;
  const endedAt = handoff.status === 'RETURNED' ? handoff.returnedAt : handoff.status === 'WITHDRAWN' ? handoff.withdrawnAt : null;
  return { dueDate, provisional, metAt, stoppedAt: metAt ?? endedAt, basis: rule.source };
};

/**
 * The clock rule of one handoff: its purpose with the procedure and possible sentence of its request. Read models
 * stored before revision 2 may lack those fields: absent means ordinary, as for a revision-1 request.
 */
export const handoffRule = (handoff: Pick<Handoff, 'purpose'> & Partial<Pick<Handoff, 'procedure' | 'possibleSentence'>>, policy: DeadlinePolicy) =>
  handoffClockRule(handoff.purpose, policy, { procedure: handoff.procedure ?? null, possibleSentence: handoff.possibleSentence ?? null });

/**
 * When a handoff's clock started (receipt, 受理 for a trial, or the request for 回执 clocks); null while it has not.
 * The scorecard counts by it.
 */
export const handoffClockStart = (handoff: Handoff, policy: DeadlinePolicy): string | null => {
  const { startsOn } = handoffRule(handoff, policy);
  return startsOn === 'requested' ? handoff.requestedAt : startsOn === 'accepted' ? handoff.acceptedAt : handoff.receivedAt;
};

/** The handoff's clock runs: started, and neither met nor ended. Only a running clock can become overdue. */
export const handoffClockRunning = (deadline: HandoffDeadline | null): deadline is HandoffDeadline => deadline !== null && deadline.stoppedAt === null;

/** Overdue on `today`: a running clock whose due date has passed (graphql.md Handoff.overdue). */
export const handoffOverdue = (deadline: HandoffDeadline | null, today: IsoDate): boolean =>
  deadline !== null && isOverdue({ dueDate: deadline.dueDate, stopped: deadline.stoppedAt !== null }, today);

/** The reply clock of a suggestion (deadlines.md): from the day it was issued, by category and urgency. */
export const suggestionReplyDue = (
  suggestion: Pick<Suggestion, 'issuedAt' | 'category' | 'urgent'>,
  calendar: WorkingDayCalendar,
): { dueDate: IsoDate; provisional: boolean } =>
  computeDueDate({ start: chinaDate(suggestion.issuedAt), period: suggestionReplyPeriod({ category: suggestion.category, urgent: suggestion.urgent }), calendar });

/**
 * How a clock's stopping event came, for statistics (graphql.md AgencyScorecard): `on_time` on or before the due
 * date, `late` after it (isLate, by China-time date), null while it has not come (running, or ended without it).
 */
export const metTiming = (metAt: string | null, dueDate: IsoDate): 'on_time' | 'late' | null =>
  metAt === null ? null : isLate({ dueDate, stoppedOn: chinaDate(metAt) }) ? 'late' : 'on_time';

/** The handoff has ended (completed, returned for correction, withdrawn): the board lists it after the open ones. */
export const handoffEnded = (handoff: Pick<Handoff, 'status'>): boolean =>
  handoff.status === 'COMPLETED' || handoff.status === 'RETURNED' || handoff.status === 'WITHDRAWN';

const earliest = (times: readonly string[]): string | null =>
  times.reduce<string | null>((best, t) => (best === null || Date.parse(t) < Date.parse(best) ? t : best), null);

/** The judgment that starts the community-correction clocks: the latest one ordering it. */
export const communityCorrectionJudgment = (judgments: readonly Judgment[]): Judgment | null =>
  judgments.filter((j) => j.communityCorrection).reduce<Judgment | null>((latest, j) => (latest === null || Date.parse(j.issuedAt) >= Date.parse(latest.issuedAt) ? j : latest), null);

/** Case-level clocks (graphql.md Case.deadlines), in a stable order. Handoff clocks: `handoffDeadline`. */
export const caseDeadlines = (state: CaseState, deps: DeadlineDeps): CaseDeadline[] => {
  if (state.status === 'none') return [];
  const { calendar, policy } = deps;
  const closedAt = state.status === 'closed' ? state.closedAt : null;
  const deadlines: CaseDeadline[] = [];
  const push = (name: string, due: { dueDate: IsoDate; provisional: boolean }, metAt: string | null, stoppedAt: string | null = metAt) =>
    deadlines.push({ name, dueDate: due.dueDate, provisional: due.provisional, metAt, stoppedAt });

  if (state.kind === 'administrative_reconsideration') {
    const period = reconsiderationDecisionPeriod({ fastTrack: state.fastTrack, privateEnterprise: state.privateEnterprise }, policy);
    const metAt = state.reconsideration?.decidedAt ?? null;
    push('reconsideration_decision', computeDueDate({ start: chinaDate(state.registeredAt), period, calendar }), metAt, metAt ?? closedAt);
  }

  const judgment = communityCorrectionJudgment(Object.values(state.judgments));
  if (judgment) {
    const start = judgment.effectiveAt ?? chinaDate(judgment.issuedAt);
    const delivered = earliest(Object.values(state.handoffs).filter((h) => h.purpose === 'community_correction').map((h) => h.requestedAt));
    push('community_correction_delivery', computeDueDate({ start, period: COMMUNITY_CORRECTION_DELIVERY, calendar }), delivered, delivered ?? closedAt);
    push('offender_report', computeDueDate({ start, period: OFFENDER_REPORT, calendar }), state.correctionReportedAt);
  }

  for (const suggestion of Object.values(state.suggestions).sort((a, b) => Date.parse(a.issuedAt) - Date.parse(b.issuedAt))) {
    deadlines.push(suggestionReplyDeadline(suggestion, deps));
  }

  const decision = state.reconsideration;
  if (decision?.corrective && decision.performanceDueAt) {
    push('reconsideration_performance', fixedDueDate(decision.performanceDueAt), decision.performedAt);
  }

  for (const notice of Object.values(state.copyNotices).sort((a, b) => Date.parse(a.issuedAt) - Date.parse(b.issuedAt))) {
    deadlines.push(...noticeAckDeadlines(notice, deps));
  }
  return deadlines;
};

/**
 * A suggestion's reply clock (`suggestion_reply:<id>`): it depends on nothing but the suggestion, so the case's
 * clocks and the suggestions read model (projections/suggestions) compute it alike.
 */
export const suggestionReplyDeadline = (suggestion: Suggestion, deps: DeadlineDeps): CaseDeadline => {
  const { dueDate, provisional } = suggestionReplyDue(suggestion, deps.calendar);
  return { name: `suggestion_reply:${suggestion.id}`, dueDate, provisional, metAt: suggestion.repliedAt, stoppedAt: suggestion.repliedAt };
};

/**
 * A copy notice's acknowledgement clocks (`notice_ack:<noticeId>:<agencyId>`), one per recipient in the order of
 * its recipients: they all start on the day of issue, so they share one due date. Nothing but the notice decides
 * them (the case's clocks and projections/copyNotices).
 */
export const noticeAckDeadlines = (notice: CopyNotice, deps: DeadlineDeps): CaseDeadline[] => {
  const { dueDate, provisional } = computeDueDate({ start: chinaDate(notice.issuedAt), period: noticeAckPeriod(deps.policy), calendar: deps.calendar });
  return notice.recipients.map((agencyId) => {
    const metAt = notice.acknowledgements[agencyId] ?? null;
    return { name: `notice_ack:${notice.id}:${agencyId}`, dueDate, provisional, metAt, stoppedAt: metAt };
  });
};
