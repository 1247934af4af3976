/**
 * The ParkingLot port (events.md §5 `parked`): events that refer to a fact another agency has not published yet
 * — typical when two agencies' topics or systems deliver out of order — are held here, not stored as facts, until
 * what they wait for is stored (then they are decided again, in their publisher's order) or their window passes
 * (then they end `rejected` with the code they would have had). A park() that resolves is durable: a parked event
 * survives restarts and, in distributed mode, the loss of the replica that parked it.
 */

export type ParkingChannel = 'http' | 'kafka';

export interface NewParkedEvent {
  /** `${source}/${id}`: the idempotency key of the fact it would become */
  key: string;
  source: string;
  eventId: string;
  /** the case (or meeting) id the event is about: the publisher's order is kept per subject */
  subject: string;
  type: string;
  /** the sending principal's agency (on Kafka: the topic's), which files the rejection if it comes to that */
  agencyId: string;
  principal: string | null;
  channel: ParkingChannel;
  /** RFC 3339: when the platform received it */
  receivedAt: string;
  /** RFC 3339: receivedAt + the parking window */
  parkedUntil: string;
  /** the rejection it would get now, and will get when the window passes */
  code: string;
  message: string;
  /** the original bytes as UTF-8 text */
  raw: string;
}

export interface ParkedEvent extends NewParkedEvent {
  /** assigned by the lot: parking order, which is each publisher's order */
  seq: string;
}

export interface ParkingStats {
  count: number;
  /** RFC 3339 receivedAt of the longest-waiting event; null when the lot is empty */
  oldestReceivedAt: string | null;
  /** RFC 3339: the soonest parkedUntil; null when the lot is empty */
  nextExpiry: string | null;
}

export interface ParkingLot {
  /**
   * Parks each event whose key is not parked already (a resend of a parked event keeps its place and its window).
   * Resolves once durable, with every given key's parkedUntil — the earlier parking's for a key already parked.
   */
  park(events: readonly NewParkedEvent[]): Promise<Map<string, string>>;
  /** which of these `(source, subject)` pairs have an event parked, as `pairKey(source, subject)` */
  waiting(pairs: readonly { source: string; subject: string }[]): Promise<Set<string>>;
  /** parked events in parking order, at most `limit` */
  list(limit: number): Promise<ParkedEvent[]>;
  find(key: string): Promise<ParkedEvent | null>;
  /** removes these keys (an event that ended accepted, duplicate or rejected); unknown keys are ignored */
  release(keys: readonly string[]): Promise<void>;
  stats(): Promise<ParkingStats>;
  close(): Promise<void>;
}

export const pairKey = (source: string, subject: string): string => `${source}\u0000${subject}`;
