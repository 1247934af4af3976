/**
 * The RejectionStore port: every event the platform refused, with its original bytes, kept so the
 * publishing agency can see why and correct and resend (补正). events.md §5: nothing is lost, so a
 * record() that resolves is durable. Rejections are never changed or deleted: the stores refuse it at the
 * database and chain each record's hash onto the previous one's.
 */
import type { ChainedLog } from './chainedLog.js';

export type RejectionChannel = 'http' | 'kafka' | 'graphql';

export interface RejectionRecord {
  /** assigned by the store; increases with every record, in the order record() was given them */
  id: string;
  /** filed under the sending principal's agency (on Kafka: the topic's agency); null when unknown */
  agencyId: string | null;
  /** the envelope's `source`, when it could be read */
  source: string | null;
  channel: RejectionChannel;
  /** RFC 3339 */
  receivedAt: string;
  /** machine-readable code (events.md §5), e.g. `invalid_data` */
  code: string;
  message: string;
  /** the envelope's `id`, when it could be read */
  eventId: string | null;
  eventType: string | null;
  /** the original bytes as UTF-8 text */
  raw: string;
}

export type NewRejection = Omit<RejectionRecord, 'id'>;

export interface RejectionFilter {
  agencyId?: string;
  first: number;
  /** an endCursor from an earlier page */
  after?: string;
}

export interface RejectionPage {
  /** rejections matching the filter, regardless of paging */
  totalCount: number;
  /** oldest first */
  nodes: RejectionRecord[];
  /** pass as `after` for the next page; null when the page is empty */
  endCursor: string | null;
  hasNextPage: boolean;
}

/** append-only and hash-chained (infra/audit/logChain.ts), checked by `liandong audit verify` */
export interface RejectionStore extends ChainedLog {
  /** stores all or none; returns the records with their ids, in input order */
  record(rejections: readonly NewRejection[]): Promise<RejectionRecord[]>;
  list(filter: RejectionFilter): Promise<RejectionPage>;
  close(): Promise<void>;
}

/** an `after` cursor this store did not hand out */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`invalid cursor ${JSON.stringify(cursor)}`);
    this.name = 'InvalidCursorError';
  }
}
