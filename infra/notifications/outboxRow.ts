/**
 * A notice as both outboxes store it (SQLite and PostgreSQL use the same column names), and back to the port's shape.
 */
import type { NotificationType } from '../../domain/notifications/notifications.js';
import type { DeliveryState, StoredNotification } from '../../ports/notifications.js';

export interface OutboxRow {
  id: string;
  type: string;
  agency_id: string;
  case_id: string | null;
  clock: string | null;
  due_date: string | null;
  text: string;
  created_at: string;
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
}

export const toNotification = (r: OutboxRow): StoredNotification => ({
  id: r.id,
  type: r.type as NotificationType,
  agencyId: r.agency_id,
  caseId: r.case_id,
  clock: r.clock,
  dueDate: r.due_date,
  text: r.text,
  createdAt: r.created_at,
  state: r.state as DeliveryState,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  deliveredAt: r.delivered_at,
  lastError: r.last_error,
});
