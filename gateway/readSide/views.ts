import { chinaDate, isOverdue, type IsoDate } from '../../domain/deadlines/index.js';
import { handoffOverdue as handoffOverdueOn } from '../../domain/catalog/index.js';
import type { CaseDoc } from '../../projections/cases/cases.projection.js';
import type { ActionItem, CopyNotice, Handoff, HandoffDeadline, Suggestion, CaseDeadline } from '../../domain/catalog/index.js';

/** What the Handoff type of the schema resolves from: the case's handoff and its clock. */
export interface HandoffView {
  caseId: string;
  handoff: Handoff;
  deadline: HandoffDeadline | null;
  today: IsoDate;
}
export interface SuggestionView {
  caseId: string;
  suggestion: Suggestion;
  /** undefined/null: no reply clock yet (not received or served) */
  deadline: CaseDeadline | null | undefined;
  today: IsoDate;
}
export interface NoticeView {
  caseId: string;
  notice: CopyNotice;
  /** its acknowledgement clocks, one per recipient (noticeAckDeadlines) */
  deadlines: CaseDeadline[];
  today: IsoDate;
}

/** the domain's rule (domain/cases/deadlines.ts handoffOverdue) on a view */
export const handoffOverdue = (v: HandoffView): boolean => handoffOverdueOn(v.deadline, v.today);

export const suggestionViews = (doc: CaseDoc, today: IsoDate): SuggestionView[] =>
  Object.values(doc.state.suggestions).map((suggestion) => ({
    caseId: doc.state.id,
    suggestion,
    deadline: doc.deadlines.find((d) => d.name === `suggestion_reply:${suggestion.id}`),
    today,
  }));

export const suggestionOverdue = (v: SuggestionView): boolean => v.deadline != null && caseDeadlineOverdue(v.deadline, v.today);

/** A notice's due date: its recipients' clocks all start together, so they share one date. */
export const noticeDueDate = (v: NoticeView): IsoDate => v.deadlines[0]?.dueDate ?? chinaDate(v.notice.issuedAt);
export const noticeOverdue = (v: NoticeView): boolean => v.deadlines.some((d) => caseDeadlineOverdue(d, v.today));

/** a suspended clock (no due date) is never overdue (deadlines.md) */
export const caseDeadlineOverdue = (d: CaseDeadline, today: IsoDate): boolean =>
  d.dueDate !== null && !d.suspended && isOverdue({ dueDate: d.dueDate, stopped: d.stoppedAt !== null }, today);

export const actionItemOverdue = (a: ActionItem, today: IsoDate): boolean => a.completedAt === null && today > a.dueDate;
