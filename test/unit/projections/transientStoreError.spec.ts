import { expect } from 'chai';
import { LeaseLostError } from '../../../ports/lease.js';
import { CheckpointConflictError } from '../../../infra/readModels/redisReadModelStore.js';
import { isTransientStoreError } from '../../../ports/transientStoreError.js';

const coded = (code: string, message = code, name = 'Error'): Error => Object.assign(new Error(message), { name, code });
const replyError = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

describe('which read-model store errors are transient (retried) and which are permanent (the projection stops)', () => {
  const transient: [string, unknown][] = [
    ['SQLite: disk full', coded('SQLITE_FULL', 'database or disk is full', 'SqliteError')],
    ['SQLite: busy', coded('SQLITE_BUSY', 'database is locked', 'SqliteError')],
    ['SQLite: locked (shared cache)', coded('SQLITE_LOCKED_SHAREDCACHE', 'database table is locked', 'SqliteError')],
    ['SQLite: I/O error on write', coded('SQLITE_IOERR_WRITE', 'disk I/O error', 'SqliteError')],
    ['SQLite: I/O error', coded('SQLITE_IOERR', 'disk I/O error', 'SqliteError')],
    ['SQLite: out of memory', coded('SQLITE_NOMEM', 'out of memory', 'SqliteError')],
    ['file system: no space', coded('ENOSPC', 'ENOSPC: no space left on device, write')],
    ['file system: quota', coded('EDQUOT')],
    ['file system: I/O error', coded('EIO')],
    ['network: refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6379')],
    ['network: reset', coded('ECONNRESET', 'read ECONNRESET')],
    ['network: timed out', coded('ETIMEDOUT')],
    ['network: broken pipe', coded('EPIPE')],
    ['network: unreachable', coded('EHOSTUNREACH')],
    ['DNS: try again', coded('EAI_AGAIN', 'getaddrinfo EAI_AGAIN redis')],
    ['ioredis: connection closed', new Error('Connection is closed.')],
    ['ioredis: offline queue off', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis: retries used up', Object.assign(new Error('Reached the max retries per request limit (which is 3).'), { name: 'MaxRetriesPerRequestError' })],
    ['Redis: loading', replyError('LOADING Redis is loading the dataset in memory')],
    ['Redis: failover, read-only replica', replyError("READONLY You can't write against a read only replica.")],
    ['Redis: out of memory', replyError("OOM command not allowed when used memory > 'maxmemory'.")],
    ['Redis: cannot persist (its disk is full)', replyError('MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.')],
    ['Redis: busy script', replyError('BUSY Redis is busy running a script.')],
    ['Redis: cluster down', replyError('CLUSTERDOWN The cluster is down')],
    ['PostgreSQL: disk full', coded('53100', 'could not extend file: No space left on device', 'DatabaseError')],
    ['PostgreSQL: too many connections', coded('53300', 'sorry, too many clients already', 'DatabaseError')],
    ['PostgreSQL: connection failure', coded('08006', 'connection failure', 'DatabaseError')],
    ['PostgreSQL: admin shutdown', coded('57P01', 'terminating connection due to administrator command', 'DatabaseError')],
    ['PostgreSQL: starting up', coded('57P03', 'the database system is starting up', 'DatabaseError')],
    ['PostgreSQL: serialization failure', coded('40001', 'could not serialize access', 'DatabaseError')],
    ['PostgreSQL: deadlock', coded('40P01', 'deadlock detected', 'DatabaseError')],
    ['PostgreSQL: I/O error', coded('58030', 'could not write', 'DatabaseError')],
    ['pg: connection terminated', new Error('Connection terminated unexpectedly')],
    ['pg: pool timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped: a cause that is transient', new Error('read model store: cannot open a Redis writer connection', { cause: coded('ECONNREFUSED') })],
    ['wrapped twice', new Error('outer', { cause: new Error('middle', { cause: coded('SQLITE_FULL') }) })],
    ['AggregateError of connection attempts', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed')],
  ];
  const permanent: [string, unknown][] = [
    ['a document JSON cannot hold', new TypeError('document cases/c-1 is not JSON-serialisable')],
    ['SQLite: constraint', coded('SQLITE_CONSTRAINT_PRIMARYKEY', 'UNIQUE constraint failed', 'SqliteError')],
    ['SQLite: corrupt file', coded('SQLITE_CORRUPT', 'database disk image is malformed', 'SqliteError')],
    ['SQLite: read-only', coded('SQLITE_READONLY', 'attempt to write a readonly database', 'SqliteError')],
    ['SQLite: generic error', coded('SQLITE_ERROR', 'no such table: read_model_documents', 'SqliteError')],
    ['a closed store', new Error('read model store is closed')],
    ['another writer moved the checkpoint', new CheckpointConflictError('cases', 10n, 'the checkpoint is at 12')],
    ['the lease is gone (even when it was lost to a connection error)', new LeaseLostError('projector', 3n, 'cannot confirm the lease: Connection is closed.')],
    ['Redis: wrong type', replyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['Redis: unknown command', replyError("ERR unknown command 'FOO'")],
    ['PostgreSQL: syntax error', coded('42601', 'syntax error at or near', 'DatabaseError')],
    ['PostgreSQL: unique violation', coded('23505', 'duplicate key value', 'DatabaseError')],
    ['a bug', new RangeError('Invalid array length')],
    ['not an Error', 'SQLITE_FULL'],
    ['nothing', undefined],
    ['a cause cycle', (() => {
      const a = new Error('a') as Error & { cause?: unknown };
      a.cause = new Error('b', { cause: a });
      return a;
    })()],
  ];

  for (const [what, error] of transient) {
    it(`retries ${what}`, () => expect(isTransientStoreError(error)).to.equal(true));
  }
  for (const [what, error] of permanent) {
    it(`stops on ${what}`, () => expect(isTransientStoreError(error)).to.equal(false));
  }
});
