/**
 * The embedded notification outbox: a SQLite file of its own (`<dataDir>/notifications.db`), written with full
 * durability — unlike the read models it cannot be rebuilt: a notice once delivered must not be delivered again, and
 * one made must not be lost. Notices and the outbox's checkpoint over the event log move in one transaction; the
 * checkpoint only moves forward (as in the PostgreSQL outbox, where two notifiers may overlap at a lease change).
 */
import type { SqliteDatabase } from '../eventStore/sqliteDatabase.js';
import { migrate, openDurableDatabase } from '../eventStore/sqliteDatabase.js';
import type { Notification, NotificationType } from '../../domain/notifications/notifications.js';
import { DELIVERY_STATES, type DeliveryState, type NotificationOutbox, type StoredNotification } from '../../ports/notifications.js';

const MIGRATIONS = [
  `CREATE TABLE notifications (
     id              TEXT PRIMARY KEY,
     type            TEXT NOT NULL,
     agency_id       TEXT NOT NULL,
     case_id         TEXT,
     clock           TEXT,
     due_date        TEXT,
     text            TEXT NOT NULL,
     created_at      TEXT NOT NULL,
     state           TEXT NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT,
     delivered_at    TEXT,
     last_error      TEXT
   );
   -- the rowid is the order notices were made in (newest first = rowid descending); it also ends every index
   CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
   CREATE INDEX notifications_agency ON notifications (agency_id);
   CREATE TABLE notification_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL);`,
];

interface Row {
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

const toNotification = (r: Row): StoredNotification => ({
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

export function openSqliteOutbox(options: { path: string }): NotificationOutbox {
  const db: SqliteDatabase = openDurableDatabase(options.path);
  migrate(db, 'notifications', MIGRATIONS);
  const statements = {
    checkpoint: db.prepare<[], bigint>('SELECT position FROM notification_checkpoint WHERE id = 1').pluck().safeIntegers(),
    moveCheckpoint: db.prepare<[bigint]>('INSERT INTO notification_checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = max(position, excluded.position)'),
    insert: db.prepare(
      `INSERT OR IGNORE INTO notifications (id, type, agency_id, case_id, clock, due_date, text, created_at, state, next_attempt_at)
       VALUES (@id, @type, @agencyId, @caseId, @clock, @dueDate, @text, @createdAt, @state, @nextAttemptAt)`,
    ),
    due: db.prepare<[string, number], Row>(`SELECT * FROM notifications WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, rowid LIMIT ?`),
    delivered: db.prepare<[string, string]>(`UPDATE notifications SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, next_attempt_at = NULL, last_error = NULL WHERE id = ?`),
    failed: db.prepare<[string, string | null, string, string]>(
      `UPDATE notifications SET state = ?, next_attempt_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`,
    ),
    counts: db.prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM notifications GROUP BY state'),
  };
  const listStatements = new Map<string, ReturnType<typeof db.prepare<unknown[], Row>>>();
  const listOf = (byAgency: boolean, byState: boolean) => {
    const key = `${byAgency}${byState}`;
    let statement = listStatements.get(key);
    if (statement === undefined) {
      const where = [byAgency ? 'agency_id = ?' : '', byState ? 'state = ?' : ''].filter(Boolean).join(' AND ');
      statement = db.prepare<unknown[], Row>(`SELECT * FROM notifications ${where ? `WHERE ${where}` : ''} ORDER BY rowid DESC LIMIT ?`);
      listStatements.set(key, statement);
    }
    return statement;
  };
  const byId = db.prepare<[string], Row>('SELECT * FROM notifications WHERE id = ?');

  const record = db.transaction((notices: readonly Notification[], now: string, routed: (agencyId: string) => boolean, position: bigint | undefined) => {
    const added: StoredNotification[] = [];
    for (const n of notices) {
      const state: DeliveryState = routed(n.agencyId) ? 'pending' : 'unrouted';
      const info = statements.insert.run({ ...n, createdAt: now, state, nextAttemptAt: state === 'pending' ? now : null });
      if (info.changes > 0) added.push(toNotification(byId.get(n.id)!));
    }
    if (position !== undefined) statements.moveCheckpoint.run(position);
    return added;
  });

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('notification outbox is closed');
  };
  return {
    async checkpoint() {
      assertOpen();
      return statements.checkpoint.get() ?? null;
    },
    async record(notices, { now, routed, position }) {
      assertOpen();
      return record(notices, now.toISOString(), routed, position);
    },
    async due(now, limit) {
      assertOpen();
      return statements.due.all(now.toISOString(), limit).map(toNotification);
    },
    async delivered(id, at) {
      assertOpen();
      statements.delivered.run(at.toISOString(), id);
    },
    async attemptFailed(id, error, nextAttemptAt) {
      assertOpen();
      statements.failed.run(nextAttemptAt === null ? 'failed' : 'pending', nextAttemptAt?.toISOString() ?? null, error, id);
    },
    async list({ agencyId, state, limit }) {
      assertOpen();
      const params: unknown[] = [];
      if (agencyId) params.push(agencyId);
      if (state) params.push(state);
      return listOf(Boolean(agencyId), Boolean(state)).all(...params, limit).map(toNotification);
    },
    async counts() {
      assertOpen();
      const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
      for (const { state, n } of statements.counts.all()) if ((DELIVERY_STATES as readonly string[]).includes(state)) counts[state as DeliveryState] = n;
      return counts;
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
