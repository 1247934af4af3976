/** A parked event as both parking lots store it (SQLite and PostgreSQL share the column names). */
import type { ParkedEvent, ParkingChannel } from '../../ports/parkingLot.js';

export interface ParkedRow {
  seq: number | string;
  key: string;
  source: string;
  event_id: string;
  subject: string;
  type: string;
  agency_id: string;
  principal: string | null;
  channel: ParkingChannel;
  received_at: string;
  parked_until: string;
  code: string;
  message: string;
  raw: string;
}

export const PARKED_COLUMNS = 'seq, key, source, event_id, subject, type, agency_id, principal, channel, received_at, parked_until, code, message, raw';

export const fromParkedRow = (row: ParkedRow): ParkedEvent => ({
  seq: String(row.seq),
  key: row.key,
  source: row.source,
  eventId: row.event_id,
  subject: row.subject,
  type: row.type,
  agencyId: row.agency_id,
  principal: row.principal,
  channel: row.channel,
  receivedAt: row.received_at,
  parkedUntil: row.parked_until,
  code: row.code,
  message: row.message,
  raw: row.raw,
});
