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
  COMMUNITY_CORRECTION_NOTICE,
  OFFENDER_REPORT,
  chinaDate,
  computeDueDate,
  daysBetween,
  disputeFilingPeriod,
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
import { correctionClockStart } from './correction.js';
import { extensionsOf, rectificationsOf, suggestionClockStart, type GovernmentDispute, type Rectification, type CopyNotice, type LinkedCase, type NoCase, type Handoff, type Judgment, type Reconsideration, type Suggestion } from './case.js';

export interface DeadlineDeps {
  readonly calendar: WorkingDayCalendar;
  readonly policy: DeadlinePolicy;
}

export interface CaseDeadline {
  /**
   * graphql.md names: reconsideration_decision, community_correction_notice, community_correction_delivery,
   * offender_report, suggestion_reply:<suggestionId>, reconsideration_performance, notice_ack:<noticeId>:<agencyId>
   */
  readonly name: string;
  /** null only while the clock is suspended (中止): the period does not run, so it has no end yet */
  readonly dueDate: IsoDate | null;
  readonly provisional: boolean;
  /** 中止: stopped for now, to run again on resumption (deadlines.md rule 8); never overdue meanwhile */
  readonly suspended: boolean;
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
  if (startsOn === 'requested') return handoff.requestedAt;
  if (startsOn === 'received') return handoff.receivedAt;
  // 受理 (revision 2); a receipt stored under revision 1 started the clock, and keeps doing so
  return handoff.acceptedAt ?? (handoff.receiptStartedClock ? handoff.receivedAt : null);
};

/** The handoff's clock runs: started, and neither met nor ended. Only a running clock can become overdue. */
export const handoffClockRunning = (deadline: HandoffDeadline | null): deadline is HandoffDeadline => deadline !== null && deadline.stoppedAt === null;

/** Overdue on `today`: a running clock whose due date has passed (graphql.md Handoff.overdue). */
export const handoffOverdue = (deadline: HandoffDeadline | null, today: IsoDate): boolean =>
  deadline !== null && isOverdue({ dueDate: deadline.dueDate, stopped: deadline.stoppedAt !== null }, today);

/**
 * The reply clock of a suggestion (deadlines.md): from its receipt — the earlier of `suggestion.received` and the
 * service date of `suggestion.served` — by category and urgency. Null before either: no clock yet.
 */
export const suggestionReplyDue = (
  suggestion: Pick<Suggestion, 'receivedAt' | 'servedAt' | 'category' | 'urgent' | 'replyDays'>,
  calendar: WorkingDayCalendar,
): { dueDate: IsoDate; provisional: boolean } | null => {
  const startedAt = suggestionClockStart(suggestion);
  if (startedAt === null) return null;
  const period = suggestionReplyPeriod({ category: suggestion.category, urgent: suggestion.urgent, replyDays: suggestion.replyDays });
  return computeDueDate({ start: chinaDate(startedAt), period, calendar });
};

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
export const caseDeadlines = (state: NoCase | LinkedCase, deps: DeadlineDeps): CaseDeadline[] => {
  if (state.status === 'none') return [];
  const { calendar } = deps;
  const closedAt = state.status === 'closed' ? state.closedAt : null;
  const deadlines: CaseDeadline[] = [];
  const push = (name: string, due: { dueDate: IsoDate; provisional: boolean }, metAt: string | null, stoppedAt: string | null = metAt) =>
    deadlines.push({ name, dueDate: due.dueDate, provisional: due.provisional, suspended: false, metAt, stoppedAt });

  if (state.kind === 'administrative_reconsideration') deadlines.push(reconsiderationDecisionDeadline(state, deps));

  const judgment = communityCorrectionJudgment(Object.values(state.judgments));
  if (judgment) {
    // 社区矫正法 Art. 20–21 count from the day the judgment takes effect; until that date is published (a revision-1
    // judgment without effectiveAt) they count from its issue, as revision 1 did (docs/decisions.md)
    const start = correctionClockStart(judgment);
    const correctionHandoffs = Object.values(state.handoffs).filter((h) => h.purpose === 'community_correction');
    const notified = earliest(correctionHandoffs.map((h) => h.requestedAt));
    const delivered = earliest(correctionHandoffs.flatMap((h) => (h.receivedAt === null ? [] : [h.receivedAt])));
    push('community_correction_notice', computeDueDate({ start, period: COMMUNITY_CORRECTION_NOTICE, calendar }), notified, notified ?? closedAt);
    push('community_correction_delivery', computeDueDate({ start, period: COMMUNITY_CORRECTION_DELIVERY, calendar }), delivered, delivered ?? closedAt);
    push('offender_report', computeDueDate({ start, period: OFFENDER_REPORT, calendar }), state.correctionReportedAt);
  }

  for (const suggestion of Object.values(state.suggestions).sort((a, b) => Date.parse(a.issuedAt) - Date.parse(b.issuedAt))) {
    const reply = suggestionReplyDeadline(suggestion, deps);
    if (reply !== null) deadlines.push(reply);
  }

  const decision = state.reconsideration;
  const performanceDue = decision === null ? null : performanceDueDate(decision, calendar);
  if (decision !== null && performanceDue !== null) push('reconsideration_performance', performanceDue, decision.performedAt);

  for (const notice of Object.values(state.copyNotices).sort((a, b) => Date.parse(a.issuedAt) - Date.parse(b.issuedAt))) {
    deadlines.push(...noticeAckDeadlines(notice, deps));
  }

  for (const rectification of Object.values(rectificationsOf(state)).sort((a, b) => Date.parse(a.orderedAt) - Date.parse(b.orderedAt))) {
    deadlines.push(rectificationDeadline(rectification));
  }
  return deadlines;
};

/**
 * The reconsideration decision clock (行政复议法 Art. 39, 62; deadlines.md rule 8): from registration (受理), its
 * period by procedure and the 涉企 policy, plus its one extension and every calendar day between a suspension (中止)
 * and its resumption (恢复), then the holiday shift. While suspended it has no due date and is never overdue.
 */
export const reconsiderationDecisionDeadline = (state: LinkedCase, deps: DeadlineDeps): CaseDeadline => {
  const period = reconsiderationDecisionPeriod(
    { simplified: state.procedure === 'simplified', privateEnterprise: state.privateEnterprise, majorOrComplex: state.majorOrComplex },
    deps.policy,
  );
  const clock = state.reconsiderationClock;
  const metAt = state.reconsideration?.decidedAt ?? null;
  const stoppedAt = metAt ?? (state.status === 'closed' ? state.closedAt : null);
  const name = 'reconsideration_decision';
  const open = clock.suspensions.find((x) => x.resumedAt === null);
  // a decision (or closing) while suspended ends the clock: it shows the due date as it stood at suspension
  const suspendedDays = clock.suspensions.reduce(
    (sum, x) => (x.resumedAt === null ? sum : sum + Math.max(0, daysBetween(chinaDate(x.suspendedAt), chinaDate(x.resumedAt)))),
    0,
  );
  if (open !== undefined && stoppedAt === null) return { name, dueDate: null, provisional: false, suspended: true, metAt: null, stoppedAt: null };
  const due = computeDueDate({ start: chinaDate(state.registeredAt), period, extensionDays: clock.extensionDays + suspendedDays, calendar: deps.calendar });
  return { name, dueDate: due.dueDate, provisional: due.provisional, suspended: false, metAt, stoppedAt };
};

/**
 * When a corrective decision must be carried out (履行): its `performanceDueAt` as set (no shift), or
 * `performanceDays` after the decision by the days rule (shifted). Null: nothing to perform by a date.
 */
export const performanceDueDate = (decision: Reconsideration, calendar: WorkingDayCalendar): { dueDate: IsoDate; provisional: boolean } | null => {
  if (!decision.corrective) return null;
  if (decision.performanceDueAt !== null) return fixedDueDate(decision.performanceDueAt);
  if (decision.performanceDays !== null) return computeDueDate({ start: chinaDate(decision.decidedAt), period: { unit: 'days', amount: decision.performanceDays }, calendar });
  return null;
};

/**
 * A suggestion's reply clock (`suggestion_reply:<id>`): it depends on nothing but the suggestion, so the case's
 * clocks and the suggestions read model (projections/suggestions) compute it alike. Null before receipt or service.
 */
export const suggestionReplyDeadline = (suggestion: Suggestion, deps: DeadlineDeps): CaseDeadline | null => {
  const due = suggestionReplyDue(suggestion, deps.calendar);
  if (due === null) return null;
  return { name: `suggestion_reply:${suggestion.id}`, dueDate: due.dueDate, provisional: due.provisional, suspended: false, metAt: suggestion.repliedAt, stoppedAt: suggestion.repliedAt };
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
    return { name: `notice_ack:${notice.id}:${agencyId}`, dueDate, provisional, suspended: false, metAt, stoppedAt: metAt };
  });
};

/**
 * A rectification's clock (`rectification:<rectificationId>`, deadlines.md): from the order until its own `dueDate`,
 * no holiday shift; stopped by `rectification.completed`. It depends on nothing but the rectification (the case's
 * clocks and projections/clocks compute it alike). A closed case does not stop it: the completion is still accepted.
 */
export const rectificationDeadline = (r: Rectification): CaseDeadline => {
  const { dueDate, provisional } = fixedDueDate(r.dueDate);
  return { name: `rectification:${r.id}`, dueDate, provisional, suspended: false, metAt: r.completedAt, stoppedAt: r.completedAt };
};

/**
 * 法律纠纷备案 timeliness (deadlines.md "dispute filing"): a statistic, never a running clock — the registration is
 * due within `disputeFilingWorkingDays` working days of `arisenAt`; late when registered (China date) after that.
 * Null when the dispute names no `arisenAt` (registered under revision 1): its timeliness is unknown.
 */
export const disputeFiling = (
  dispute: Pick<GovernmentDispute, 'arisenAt'>,
  registeredAt: string,
  deps: DeadlineDeps,
): { dueDate: IsoDate; provisional: boolean; late: boolean } | null => {
  if (dispute.arisenAt === null) return null;
  const due = computeDueDate({ start: dispute.arisenAt, period: disputeFilingPeriod(deps.policy), calendar: deps.calendar });
  return { ...due, late: isLate({ dueDate: due.dueDate, stoppedOn: chinaDate(registeredAt) }) };
};
