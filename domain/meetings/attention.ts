/**
 * The attention rule of the liaison meeting (graphql.md Meeting.attention): which cases need the meeting and why.
 * One definition, read by the dossier (gateway/resolvers/meetings.ts, over projections/attention) and by the demo
 * city's organizer (infra/demo/meetings.ts, over cases folded from its plan).
 *
 * Two kinds of reason:
 * - a clock that is overdue today — a handoff, a suggestion's reply, a corrective reconsideration decision's
 *   performance — stays on the list while it is overdue, discussed or not;
 * - a standing fact — the agency lost its case, a reconsideration decision corrected it, a major government
 *   dispute is open — is brought to a meeting once: after a held meeting had the case on its agenda at or after
 *   the fact, it leaves the list (its follow-up lives on as action items, carried over until done).
 */
import { DISPUTE_OUTCOME_NAMES, RECONSIDERATION_DECISION_NAMES, isLostDispute, type DisputeOutcome } from '../catalog/vocabulary.js';
import { disputeOf, rectificationsOf, type ExistingCase, type GovernmentDispute, type Judgment, type Rectification } from '../cases/case.js';
import { yuan } from '../catalog/describe.js';
import { handoffClockRunning, handoffDeadline, performanceDueDate, suggestionReplyDue, type DeadlineDeps } from '../cases/deadlines.js';
import { chinaDate, compareDates, isCaseHandlingPeriod, type HandoffPurpose, type IsoDate, type WorkingDayCalendar } from '../deadlines/index.js';
import { correctionAbsconded, correctionAgency, correctionFactsOfCase, correctionUnreported, offenderReportDue, type CorrectionFacts } from '../cases/correction.js';

/** the reasons, most pressing first: the order of the list */
export const ATTENTION_REASONS = [
  'overdue_handoff',
  'overdue_suggestion',
  'overdue_performance',
  'overdue_rectification',
  // revision 2, 社区矫正: an overdue 报到 is a clock; 脱管 stays on the list until the person is located
  'correction_unreported',
  'correction_absconded',
  'agency_lost',
  'reconsideration_corrected',
  'dispute_lost',
  'major_dispute',
] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];

/** a running clock (started, not stopped) that can fall overdue */
export interface AttentionClock {
  /** the sender of a handoff; null for a suggestion's reply */
  readonly from: string | null;
  /** the agency that has to act */
  readonly to: string;
  readonly dueDate: IsoDate;
  /** a handoff's purpose; null for a suggestion */
  readonly purpose: HandoffPurpose | null;
}

/** Everything the rule reads of a case (projections/attention keeps it per case; attentionFactsOfCase takes it from a case's state). */
export interface AttentionFacts {
  readonly caseId: string;
  readonly title: string;
  readonly defendant: string | null;
  /** running handoff clocks, in the case's handoff order */
  readonly handoffClocks: readonly AttentionClock[];
  /** running reply clocks of unanswered suggestions, in the case's suggestion order */
  readonly suggestionClocks: readonly AttentionClock[];
  /** a corrective decision's performance due date, while its performance is not reported */
  readonly performanceDue: IsoDate | null;
  /** when the latest judgment was issued, if the agency lost it */
  readonly lostAt: string | null;
  /** a corrective reconsideration decision (纠错) */
  readonly correction: { readonly decision: string; readonly decidedAt: string } | null;
  /** a major (重大) government dispute that is still open and not concluded */
  readonly majorDispute: boolean;
  /** 社区矫正 (revision 2; absent in facts built before it): the supervising agency, the 报到 due date while unreported, the open 脱管 */
  readonly communityCorrection?: CorrectionAttention | null;
  // revision 2: legal disputes of state organs
  /** running clocks of rectifications not yet completed (from = who ordered it, to = who must carry it out) */
  readonly rectificationClocks: readonly AttentionClock[];
  /** a government dispute concluded lost or partially lost (涉党政机关/国企纠纷败诉) */
  readonly disputeLost: DisputeLoss | null;
}

/** what the attention rule reads of a case's community correction (domain/cases/correction.ts) */
export interface CorrectionAttention {
  /** the 社区矫正机构 answerable (correctionAgency) */
  readonly agency: string;
  /** offenderReportDue: null once reported */
  readonly reportDue: IsoDate | null;
  /** the open 脱管, null while in contact */
  readonly abscondedAt: string | null;
}

/** The community-correction part of the facts: null for a case without a judgment ordering it. */
export function correctionAttentionOf(facts: CorrectionFacts, calendar: WorkingDayCalendar): CorrectionAttention | null {
  const agency = correctionAgency(facts);
  if (agency === null) return null;
  return { agency, reportDue: offenderReportDue(facts, calendar), abscondedAt: facts.abscondedAt };
}

export interface DisputeLoss {
  readonly outcome: DisputeOutcome;
  readonly concludedAt: string;
  readonly lossAmount: number | null;
  /** 主管单位 */
  readonly responsibleAgencyId: string;
}

export interface AttentionFinding {
  readonly reason: AttentionReason;
  /** the overdue clocks behind overdue_handoff / overdue_suggestion; empty otherwise */
  readonly clocks: readonly AttentionClock[];
}

/** A clock is overdue on the days after its due date (domain/deadlines isOverdue, for a running clock). */
const overdue = (dueDate: IsoDate, today: IsoDate): boolean => compareDates(today, dueDate) > 0;

/**
 * The case's reasons on `today`, in ATTENTION_REASONS order. `lastDiscussed`: when a held meeting (other than the
 * one asking) last had the case on its agenda — its scheduled time, epoch ms — or null.
 */
export function attentionFindings(facts: AttentionFacts, today: IsoDate, lastDiscussed: number | null): AttentionFinding[] {
  const found: AttentionFinding[] = [];
  /** not on the agenda of a meeting held at or after `time` */
  const undiscussedSince = (time: string): boolean => lastDiscussed === null || lastDiscussed < Date.parse(time);
  const lateHandoffs = facts.handoffClocks.filter((c) => overdue(c.dueDate, today));
  if (lateHandoffs.length) found.push({ reason: 'overdue_handoff', clocks: lateHandoffs });
  const lateSuggestions = facts.suggestionClocks.filter((c) => overdue(c.dueDate, today));
  if (lateSuggestions.length) found.push({ reason: 'overdue_suggestion', clocks: lateSuggestions });
  if (facts.performanceDue !== null && overdue(facts.performanceDue, today)) found.push({ reason: 'overdue_performance', clocks: [] });
  const supervision = facts.communityCorrection ?? null;
  if (supervision !== null && correctionUnreported(supervision.reportDue, today)) found.push({ reason: 'correction_unreported', clocks: [] });
  if (supervision !== null && correctionAbsconded(supervision)) found.push({ reason: 'correction_absconded', clocks: [] });
  const lateRectifications = (facts.rectificationClocks ?? []).filter((c) => overdue(c.dueDate, today));
  if (lateRectifications.length) found.push({ reason: 'overdue_rectification', clocks: lateRectifications });
  if (facts.lostAt !== null && undiscussedSince(facts.lostAt)) found.push({ reason: 'agency_lost', clocks: [] });
  if (facts.correction !== null && undiscussedSince(facts.correction.decidedAt)) found.push({ reason: 'reconsideration_corrected', clocks: [] });
  const loss = facts.disputeLost ?? null;
  if (loss !== null && undiscussedSince(loss.concludedAt)) found.push({ reason: 'dispute_lost', clocks: [] });
  if (facts.majorDispute) found.push({ reason: 'major_dispute', clocks: [] });
  return found;
}

/** What the list says about a finding, for people; `agencyName` names an agency id. */
export function attentionDetail(facts: AttentionFacts, finding: AttentionFinding, agencyName: (id: string) => string): string {
  const defendant = agencyName(facts.defendant ?? '');
  switch (finding.reason) {
    case 'overdue_handoff':
      // a statutory 办案期限 that has passed is 超期 (the law's word); other handoffs are overdue (逾期) like any duty
      return finding.clocks
        .map((c) => `${agencyName(c.from ?? '')}→${agencyName(c.to)} 移送应于 ${c.dueDate} 前办结${c.purpose !== null && isCaseHandlingPeriod(c.purpose) ? '（办案期限已超期）' : ''}`)
        .join('；');
    case 'overdue_suggestion':
      return finding.clocks.map((c) => `${agencyName(c.to)} 应于 ${c.dueDate} 前回复建议`).join('；');
    case 'overdue_performance':
      return `${defendant} 应于 ${facts.performanceDue} 前履行复议决定`;
    case 'agency_lost':
      return `${defendant} 于 ${chinaDate(facts.lostAt!)} 败诉`;
    case 'reconsideration_corrected': {
      const { decision, decidedAt } = facts.correction!;
      return `复议决定：${(RECONSIDERATION_DECISION_NAMES as Record<string, string>)[decision] ?? decision}（${chinaDate(decidedAt)}）`;
    }
    case 'major_dispute':
      return `重大法律纠纷：${facts.title}`;
    case 'correction_unreported':
      return `社区矫正对象应于 ${facts.communityCorrection!.reportDue} 前向 ${agencyName(facts.communityCorrection!.agency)} 报到，逾期未报到（漏管风险）`;
    case 'correction_absconded':
      return `社区矫正对象自 ${chinaDate(facts.communityCorrection!.abscondedAt!)} 起脱管，${agencyName(facts.communityCorrection!.agency)} 尚未报告查找到`;
    case 'overdue_rectification':
      return finding.clocks.map((c) => `${agencyName(c.to)} 应于 ${c.dueDate} 前完成整改`).join('；');
    case 'dispute_lost': {
      const loss = facts.disputeLost!;
      const amount = loss.lossAmount !== null && loss.lossAmount > 0 ? `，损失 ${yuan(loss.lossAmount)}` : '';
      return `${agencyName(loss.responsibleAgencyId)} 主管的纠纷于 ${chinaDate(loss.concludedAt)} ${DISPUTE_OUTCOME_NAMES[loss.outcome]}${amount}`;
    }
  }
}

/** dispute_lost (graphql.md revision 2): a government_dispute concluded lost or partially_lost. */
export const disputeLossOf = (dispute: GovernmentDispute | null): DisputeLoss | null => {
  const c = dispute?.conclusion ?? null;
  return c !== null && isLostDispute(c.outcome) ? { outcome: c.outcome, concludedAt: c.concludedAt, lossAmount: c.lossAmount, responsibleAgencyId: dispute!.responsibleAgencyId } : null;
};

/** overdue_rectification reads the running clock of every rectification not yet completed. */
export const rectificationAttentionClock = (r: Rectification): AttentionClock | null =>
  r.completedAt === null ? { from: r.from, to: r.to, dueDate: r.dueDate, purpose: null } : null;

/** The standing facts of a case state (the parts that no date changes). */
export const lostAtOf = (s: { readonly judgment: Pick<Judgment, 'outcome' | 'issuedAt'> | null }): string | null => (s.judgment?.outcome === 'agency_lost' ? s.judgment.issuedAt : null);
/** `concluded`: the dispute's outcome was reported (dispute.concluded, revision 2) — over, though its case may stay open */
export const majorDisputeOf = (s: Pick<ExistingCase, 'kind' | 'major' | 'status'>, concluded = false): boolean =>
  s.kind === 'government_dispute' && s.major && s.status === 'open' && !concluded;
export const performanceDueOf = (r: ExistingCase['reconsideration']): IsoDate | null =>
  r?.corrective && r.performanceDueAt && !r.performedAt ? r.performanceDueAt : null;
export const correctionOf = (r: ExistingCase['reconsideration']): AttentionFacts['correction'] => (r?.corrective ? { decision: r.decision, decidedAt: r.decidedAt } : null);

/** The facts of a case from its whole state (the demo city's organizer, tests). */
export function attentionFactsOfCase(s: ExistingCase, deps: DeadlineDeps): AttentionFacts {
  const handoffClocks: AttentionClock[] = [];
  for (const h of Object.values(s.handoffs)) {
    const deadline = handoffDeadline(h, deps);
    if (handoffClockRunning(deadline)) handoffClocks.push({ from: h.from, to: h.to, dueDate: deadline.dueDate, purpose: h.purpose });
  }
  const suggestionClocks: AttentionClock[] = [];
  for (const x of Object.values(s.suggestions)) {
    const due = x.repliedAt === null ? suggestionReplyDue(x, deps.calendar) : null;
    if (due !== null) suggestionClocks.push({ from: null, to: x.to, dueDate: due.dueDate, purpose: null });
  }
  return {
    caseId: s.id,
    title: s.title,
    defendant: s.defendantAgencyId,
    handoffClocks,
    suggestionClocks,
    performanceDue: s.reconsideration && !s.reconsideration.performedAt ? (performanceDueDate(s.reconsideration, deps.calendar)?.dueDate ?? null) : null,
    lostAt: lostAtOf(s),
    correction: correctionOf(s.reconsideration),
    communityCorrection: correctionAttentionOf(correctionFactsOfCase(s), deps.calendar),
    majorDispute: majorDisputeOf(s, (disputeOf(s)?.conclusion ?? null) !== null),
    rectificationClocks: Object.values(rectificationsOf(s)).flatMap((r) => rectificationAttentionClock(r) ?? []),
    disputeLost: disputeLossOf(disputeOf(s)),
  };
}
