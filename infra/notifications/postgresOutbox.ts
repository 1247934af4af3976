/**
 * The notification outbox in PostgreSQL (distributed mode): beside the rejections in the platform's schema, so the
 * gateway replicas list the notices organizers look at and whichever `liandong project` replica holds the notifier
 * lease delivers them. Like the embedded outbox it cannot be rebuilt — a notice once delivered must not be delivered
 * again — so it lives in the database that is backed up, not in Redis.
 *
 * Two notifiers may overlap for a moment when the lease changes hands (the old holder's pass in flight). Nothing
 * is lost or made twice: notices are kept once by id (`ON CONFLICT DO NOTHING`), and the checkpoint only moves
 * forward (`GREATEST`), so a late pass of the old holder cannot send the new one back over told events. A notice
 * may be sent twice in that moment; receivers drop repeats by id, as at-least-once delivery requires anyway.
 */
import pg from 'pg';
import type { Notification, NotificationType } from '../../domain/notifications/notifications.js';
import { DELIVERY_STATES, type DeliveryState, type NotificationOutbox, type StoredNotification } from '../../ports/notifications.js';
import { migrateComponent, type PostgresMigration } from '../postgres/migrateComponent.js';

export interface PostgresOutboxOptions {
  connectionString: string;
  /** the schema holding the tables, created if missing (default `liandong`, the event store's) */
  schema?: string;
  /** pooled connections (default 2): one notifier writes, organizers read now and then */
  maxConnections?: number;
}

const DEFAULT_SCHEMA = 'liandong';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,46}$/;
const COMPONENT = 'notifications';

const MIGRATIONS: readonly PostgresMigration[] = [
  (schema) => `
   CREATE TABLE ${schema}.notifications (
     seq             bigserial PRIMARY KEY,   -- the order notices were made in (newest first = seq descending)
     id              text   NOT NULL UNIQUE,
     type            text   NOT NULL,
     agency_id       text   NOT NULL,
     case_id         text,
     clock           text,
     due_date        text,
     text            text   NOT NULL,
     created_at      text   NOT NULL,         -- ISO time, as the embedded outbox keeps it
     state           text   NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'unrouted')),
     attempts        integer NOT NULL DEFAULT 0,
     next_attempt_at text,
     delivered_at    text,
     last_error      text
   );
   -- the notifier's question: pending notices whose next attempt is due, oldest first
   CREATE INDEX notifications_due ON ${schema}.notifications (next_attempt_at, seq) WHERE state = 'pending';
   CREATE INDEX notifications_by_agency ON ${schema}.notifications (agency_id, seq);
   CREATE TABLE ${schema}.notification_checkpoint (
     singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
     position  bigint  NOT NULL
   );`,
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

const COLUMNS = 'id, type, agency_id, case_id, clock, due_date, text, created_at, state, attempts, next_attempt_at, delivered_at, last_error';

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

export async function openPostgresOutbox(options: PostgresOutboxOptions): Promise<NotificationOutbox> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  const q = `"${schema}"`;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 2, application_name: 'liandong-notifications' });
  // an idle connection dropped by the server must not crash the process; the next query opens another
  pool.on('error', () => undefined);
  try {
    await migrateComponent(pool, schema, COMPONENT, MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }

  let closed = false;
  const assertOpen = (): void => {
    if (closed) throw new Error('notification outbox is closed');
  };

  return {
    async checkpoint() {
      assertOpen();
      const { rows } = await pool.query<{ position: string }>(`SELECT position FROM ${q}.notification_checkpoint`);
      return rows[0] ? BigInt(rows[0].position) : null;
    },
    async record(notices: readonly Notification[], { now, routed, position }) {
      assertOpen();
      const at = now.toISOString();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const added: StoredNotification[] = [];
        for (const n of notices) {
          const state: DeliveryState = routed(n.agencyId) ? 'pending' : 'unrouted';
          const { rows } = await client.query<Row>(
            `INSERT INTO ${q}.notifications (id, type, agency_id, case_id, clock, due_date, text, created_at, state, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO NOTHING
             RETURNING ${COLUMNS}`,
            [n.id, n.type, n.agencyId, n.caseId, n.clock, n.dueDate, n.text, at, state, state === 'pending' ? at : null],
          );
          if (rows[0]) added.push(toNotification(rows[0]));
        }
        if (position !== undefined) {
          await client.query(
            `INSERT INTO ${q}.notification_checkpoint (singleton, position) VALUES (true, $1)
             ON CONFLICT (singleton) DO UPDATE SET position = GREATEST(${q}.notification_checkpoint.position, EXCLUDED.position)`,
            [position.toString()],
          );
        }
        await client.query('COMMIT');
        return added;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async due(now, limit) {
      assertOpen();
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${q}.notifications WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $2`,
        [now.toISOString(), limit],
      );
      return rows.map(toNotification);
    },
    async delivered(id, at) {
      assertOpen();
      await pool.query(
        `UPDATE ${q}.notifications SET state = 'delivered', delivered_at = $1, attempts = attempts + 1, next_attempt_at = NULL, last_error = NULL WHERE id = $2`,
        [at.toISOString(), id],
      );
    },
    async attemptFailed(id, error, nextAttemptAt) {
      assertOpen();
      await pool.query(`UPDATE ${q}.notifications SET state = $1, next_attempt_at = $2, attempts = attempts + 1, last_error = $3 WHERE id = $4`, [
        nextAttemptAt === null ? 'failed' : 'pending',
        nextAttemptAt?.toISOString() ?? null,
        error,
        id,
      ]);
    },
    async list({ agencyId, state, limit }) {
      assertOpen();
      const where: string[] = [];
      const params: unknown[] = [];
      if (agencyId) where.push(`agency_id = $${params.push(agencyId)}`);
      if (state) where.push(`state = $${params.push(state)}`);
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM ${q}.notifications ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.push(limit)}`,
        params,
      );
      return rows.map(toNotification);
    },
    async counts() {
      assertOpen();
      const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<DeliveryState, number>;
      const { rows } = await pool.query<{ state: string; n: string }>(`SELECT state, count(*) AS n FROM ${q}.notifications GROUP BY state`);
      for (const { state, n } of rows) if ((DELIVERY_STATES as readonly string[]).includes(state)) counts[state as DeliveryState] = Number(n);
      return counts;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
