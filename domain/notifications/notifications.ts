/**
 * Notifications (operations.md "Notifications", 催办 / 预警): what an agency is told, and when. Pure: which facts and
 * which clocks make a notice, with ids that are the same however often they are worked out — the outbox keeps each id
 * once, so a replayed event or a clock seen on every scan is never told twice.
 *
 * Told: a handoff requested to it, a suggestion or copy notice addressed to it, a rectification ordered; a running
 * clock it owns due within `dueSoonWorkingDays` working days (once per due date: an extension that moves the date is
 * told again), and a running clock that became overdue (once per due date).
 */
import { NOTICE_REASON_NAMES, PURPOSES } from '../catalog/vocabulary.js';
import type { ClockFacts } from '../clocks/runningClocks.js';
import { compareDates, type IsoDate } from '../deadlines/index.js';

export const NOTIFICATION_TYPES = ['handoff_requested', 'suggestion_issued', 'copy_notice', 'rectification_ordered', 'due_soon', 'overdue'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const NOTIFICATION_TYPE_NAMES: Readonly<Record<NotificationType, string>> = {
  handoff_requested: '新的移送',
  suggestion_issued: '新的司法建议或检察建议',
  copy_notice: '抄告',
  rectification_ordered: '整改要求',
  due_soon: '临期提醒',
  overdue: '逾期提醒',
};

/** one notice to one agency (the webhook body of operations.md, plus when it was made) */
export interface Notification {
  /** stable: `<position>:<agency>` for a fact, `<clock id>:<due_soon|overdue>:<due date>` for a clock */
  readonly id: string;
  readonly type: NotificationType;
  readonly agencyId: string;
  readonly caseId: string | null;
  /** the clock's id (ClockFacts.id) for due_soon / overdue */
  readonly clock: string | null;
  readonly dueDate: IsoDate | null;
  /** one Chinese sentence for a person */
  readonly text: string;
}

/** what a notice needs of a stored event */
export interface NotifiableEvent {
  readonly type: string;
  readonly streamId: string;
  readonly position: bigint;
  readonly source: string | null;
  readonly data: Readonly<Record<string, unknown>>;
}

const CASE_STREAM = /^case-(.+)$/;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** the notices a stored fact makes: one per agency it becomes a duty of */
export function notificationsOfEvent(event: NotifiableEvent, agencyName: (id: string) => string): Notification[] {
  const caseId = CASE_STREAM.exec(event.streamId)?.[1] ?? null;
  const d = event.data;
  const from = event.source === null ? '平台' : agencyName(event.source);
  const notice = (type: NotificationType, agencyId: unknown, sentence: string, dueDate: IsoDate | null = null): Notification[] =>
    typeof agencyId === 'string' && agencyId !== ''
      ? [{ id: `${event.position}:${agencyId}`, type, agencyId, caseId, clock: null, dueDate, text: sentence }]
      : [];
  const onCase = caseId === null ? '' : `（案件 ${caseId}）`;
  switch (event.type) {
    case 'handoff.requested': {
      const purpose = PURPOSES[text(d['purpose']) as keyof typeof PURPOSES]?.name ?? text(d['purpose']);
      return notice('handoff_requested', d['to'], `${from} 向贵单位移送${purpose ? `「${purpose}」` : ''}${onCase}，请及时接收办理`);
    }
    case 'suggestion.issued':
      return notice('suggestion_issued', d['to'], `${from} 向贵单位发出建议${onCase}，请在期限内书面回复`);
    case 'notice.issued': {
      const recipients = Array.isArray(d['recipients']) ? (d['recipients'] as unknown[]) : [];
      const reason = NOTICE_REASON_NAMES[text(d['reason']) as keyof typeof NOTICE_REASON_NAMES] ?? text(d['reason']);
      return recipients.flatMap((agencyId) => notice('copy_notice', agencyId, `平台就「${reason}」向贵单位抄告${onCase}，请签收`));
    }
    case 'rectification.ordered': {
      const due = typeof d['dueDate'] === 'string' ? (d['dueDate'] as IsoDate) : null;
      return notice('rectification_ordered', d['to'], `${from} 要求贵单位整改${onCase}${due ? `，限 ${due} 前完成` : ''}`, due);
    }
    default:
      return [];
  }
}

/**
 * The notice a running clock makes today, if any: overdue once its due date has passed, due soon while it is due
 * between today and `lastDueSoon` (the last date within `dueSoonWorkingDays` working days; domain/deadlines
 * lastDueWithinWorkingDays). A clock without a due date (suspended, not yet fixed) makes none.
 */
export function notificationOfClock(clock: ClockFacts, today: IsoDate, lastDueSoon: IsoDate): Notification | null {
  if (!clock.running || clock.dueDate === null) return null;
  const due = clock.dueDate;
  const overdue = compareDates(due, today) < 0;
  if (!overdue && compareDates(due, lastDueSoon) > 0) return null;
  const type: NotificationType = overdue ? 'overdue' : 'due_soon';
  const what = `「${clock.name}」${clock.caseId === null ? '' : `（案件 ${clock.caseId}）`}`;
  return {
    id: `${clock.id}:${type}:${due}`,
    type,
    agencyId: clock.owner,
    caseId: clock.caseId,
    clock: clock.id,
    dueDate: due,
    text: overdue ? `${what}已于 ${due} 到期，现已逾期，请尽快办理` : `${what}将于 ${due} 到期，请在期限内办理`,
  };
}
