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
import type { ChainedLog } from '../audit/logChain.js';

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

/** values under these names are never written to the log */
const SECRET_NAME = /pass(word|wd)?|secret|token|authori[sz]ation|credential|api[-_]?key|private[-_]?key|cookie/i;
export const REDACTED = '[已隐去]';
const MAX_STRING = 1000;
const MAX_VARIABLES_BYTES = 16 * 1024;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** the variables as they may be kept: secrets replaced, long strings cut, the whole bounded */
export function redactVariables(variables: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (variables === null || variables === undefined || Object.keys(variables).length === 0) return null;
  const redact = (value: unknown, name: string | null, depth: number): unknown => {
    if (name !== null && isSecretName(name)) return REDACTED;
    if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…（共 ${value.length} 字符）` : value;
    if (value === null || typeof value !== 'object') return value;
    if (depth > 10) return '…';
    if (Array.isArray(value)) return value.map((item) => redact(item, null, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, key, depth + 1)]));
  };
  const redacted = redact(variables, null, 0) as Record<string, unknown>;
  const size = Buffer.byteLength(JSON.stringify(redacted));
  return size > MAX_VARIABLES_BYTES ? { _omitted: `变量共 ${size} 字节，超过 ${MAX_VARIABLES_BYTES} 字节，未记录` } : redacted;
}
