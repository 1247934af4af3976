/**
 * The AccessLog port: one entry per GraphQL operation — who (principal, roles, agency), what (operation
 * type and name, the root fields with their inline arguments, the variables with secrets removed), when,
 * from where, and how it ended. Append-only: entries are never changed, and only entries older than the
 * retention period (at least one year) are ever deleted, oldest first. Entries are hash-chained
 * (infra/audit/logChain.ts) and checked by `liandong audit verify`. Auditors read it through GraphQL `accessLog`.
 *
 * Embedded mode keeps it in SQLite (sqliteAccessLog.ts); a server adapter (PostgreSQL) runs the same
 * contract suite (test/contract/accessLog.contract.ts).
 */
import type { ChainedLog } from './chainedLog.js';

export type AccessOutcome =
  /** answered without errors */
  | 'ok'
  /** a resolver refused for role or rule (extensions.code FORBIDDEN) */
  | 'forbidden'
  /** refused by a guard before any resolver ran (depth, aliases, page size, batch) */
  | 'refused'
  /** not a valid operation: unparsable, fails validation, bad request */
  | 'invalid'
  /** a resolver refused an argument (BAD_USER_INPUT) */
  | 'bad_input'
  /** anything else that ended with errors */
  | 'error'
  /** no or unknown bearer token: answered 401 before any operation ran */
  | 'unauthenticated';

export const ACCESS_OUTCOMES: readonly AccessOutcome[] = ['ok', 'forbidden', 'refused', 'invalid', 'bad_input', 'error', 'unauthenticated'];

export interface AccessEntry {
  /** when the answer was sent, RFC 3339 UTC */
  at: string;
  /** the configured principal name; null without a valid token */
  principal: string | null;
  roles: string[];
  agencyId: string | null;
  operationType: 'query' | 'mutation' | 'subscription' | null;
  operationName: string | null;
  /** root fields as asked, with inline arguments, e.g. `case(id: "XJ-1")` */
  fields: string[];
  /** the operation's variables with secret-looking values replaced; null when there were none */
  variables: Record<string, unknown> | null;
  outcome: AccessOutcome;
  /** extensions.code of each error, in order, without repeats */
  errorCodes: string[];
  /** the client's address as the HTTP server saw it */
  client: string | null;
  durationMs: number | null;
}

export interface AccessRecord extends AccessEntry {
  /** assigned by the log; grows with every entry */
  id: string;
}

export interface AccessLogFilter {
  first: number;
  /** an endCursor from an earlier page */
  after?: string;
  principal?: string;
}

export interface AccessLogPage {
  totalCount: number;
  /** newest first */
  nodes: AccessRecord[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface AccessLogWriter {
  /** durable when it resolves */
  record(entry: AccessEntry): Promise<void>;
}

export interface AccessLogReader {
  list(filter: AccessLogFilter): Promise<AccessLogPage>;
}

export interface AccessLog extends AccessLogWriter, AccessLogReader, ChainedLog {
  /**
   * Deletes the entries recorded before `before`, from the oldest end only (an old entry recorded after a
   * younger one waits for it), so the rest of the chain stays unbroken. Refuses (RetentionError, deleting
   * nothing) when that would delete an entry younger than MIN_RETENTION_DAYS.
   */
  prune(before: Date): Promise<number>;
  close(): Promise<void>;
}

/** entries are kept at least this long, whatever the configuration says */
export const MIN_RETENTION_DAYS = 365;

export class RetentionError extends Error {
  override readonly name = 'RetentionError';
}
