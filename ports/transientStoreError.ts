/**
 * Which store errors the projection runner retries (projections/runner.ts, docs/decisions.md "Self-healing
 * projections").
 *
 * The rule: an error is **transient** when the store says the *environment* failed — space, memory, the disk,
 * a lock, the connection — something that can come right without anyone changing code or data. It is known by
 * its code (or, for the client libraries that have none, its exact message), on the error itself or anywhere in
 * its `cause` chain or AggregateError list:
 *   - SQLite (better-sqlite3 `code`): SQLITE_FULL, SQLITE_IOERR*, SQLITE_BUSY*, SQLITE_LOCKED*, SQLITE_NOMEM,
 *     SQLITE_PROTOCOL, SQLITE_CANTOPEN* (a temporary file on a full disk);
 *   - the operating system (Node `code`): ENOSPC, EDQUOT, EIO, EAGAIN, EBUSY, EMFILE, ENFILE, ENOMEM and the
 *     network ones (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, EAI_AGAIN, …);
 *   - PostgreSQL (SQLSTATE `code`): class 08 (connection), 53 (insufficient resources: disk full, out of memory,
 *     too many connections), 57P01–57P05 (shut down, starting up), 58 (system / I/O error), 40001 and 40P01
 *     (serialization failure, deadlock), 55P03 (lock not available); node-postgres' connection messages;
 *   - Redis / ioredis: a closed connection or used-up retries, and the replies LOADING, BUSY, TRYAGAIN,
 *     CLUSTERDOWN, MASTERDOWN, READONLY (a failover), OOM and MISCONF (Redis cannot persist: its disk is full).
 *
 * Everything else is **permanent**: a document the store cannot hold, a constraint, a corrupt or read-only file,
 * a closed store, a checkpoint another writer moved (CheckpointConflictError), a lost lease (LeaseLostError —
 * whatever made it lost, the lease owner decides what happens next), a bug. An error whose cause is unknown is
 * permanent on purpose: retrying a deterministic error would loop for ever, while a stopped projection is loud
 * (logged, /readyz) and a restart retries it.
 */

const SQLITE_TRANSIENT = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|NOMEM|PROTOCOL|CANTOPEN)(_|$)/;

const ERRNO_TRANSIENT = new Set([
  // space, the disk, the process's resources
  'ENOSPC',
  'EDQUOT',
  'EIO',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  // the network
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) */
const SQLSTATE_TRANSIENT = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-5]|58[0-9A-Z]{3}|40001|40P01|55P03)$/;

/** replies Redis gives while it cannot do the work now but will later */
const REDIS_REPLY_TRANSIENT = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM|MISCONF|NOREPLICAS) /;

/** client-library errors that carry no code (matched whole, so a message that merely quotes one does not count) */
const MESSAGE_TRANSIENT = [
  /^Connection is closed\.$/, // ioredis
  /^Stream isn't writeable and enableOfflineQueue options is false$/, // ioredis
  /^Connection terminated unexpectedly$/, // node-postgres
  /^Connection terminated due to connection timeout$/, // node-postgres
  /^Connection terminated$/, // node-postgres
  /^timeout exceeded when trying to connect$/, // pg-pool
  /^Client has encountered a connection error and is not queryable$/, // node-postgres
];

const NAME_TRANSIENT = new Set(['MaxRetriesPerRequestError']); // ioredis

/** true when retrying the same store operation later may succeed; see the rule above */
export function isTransientStoreError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (candidate: unknown, depth: number): boolean => {
    if (candidate === null || typeof candidate !== 'object' || seen.has(candidate) || depth > 8) return false;
    seen.add(candidate);
    if (isTransientItself(candidate)) return true;
    const { cause, errors } = candidate as { cause?: unknown; errors?: unknown };
    if (candidate instanceof AggregateError && Array.isArray(errors) && errors.some((inner) => visit(inner, depth + 1))) return true;
    return visit(cause, depth + 1);
  };
  return visit(error, 0);
}

function isTransientItself(error: object): boolean {
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (SQLITE_TRANSIENT.test(code) || ERRNO_TRANSIENT.has(code) || SQLSTATE_TRANSIENT.test(code)) return true;
  }
  if (typeof name === 'string' && NAME_TRANSIENT.has(name)) return true;
  if (typeof message !== 'string') return false;
  if (name === 'ReplyError' && REDIS_REPLY_TRANSIENT.test(message)) return true;
  return MESSAGE_TRANSIENT.some((pattern) => pattern.test(message));
}
