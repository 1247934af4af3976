/**
 * The PostgreSQL write path nothing can stall (issue 18), against a real server: a writer process stopped with
 * SIGSTOP — while its session sits idle in a transaction holding event_head, or anywhere in its own appends — keeps
 * another writer waiting at most about the session timeouts; connections killed with pg_terminate_backend in the
 * middle of appends and reads are retried on fresh ones, with no append lost or stored twice and positions dense.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { openPostgresEventStore } from '../../infra/eventStore/postgresEventStore.js';
import type { EventStore, NewEvent } from '../../ports/eventStore.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

const metadata = { source: null, eventId: null, principal: null, channel: 'platform', time: '2027-01-01T00:00:00Z' } as const;
const events = (count: number, label: string, keyed = false): NewEvent[] =>
  Array.from({ length: count }, (_, index) => ({
    type: 'tick',
    data: { label, index },
    metadata,
    ...(keyed ? { idempotencyKey: `${label}/${index}` } : {}),
  }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgreSQL write path under stalled and killed writers (real server)', function () {
  this.timeout(120_000);
  before(requireEngine('postgres', probePostgres));

  let schema: string;
  let admin: pg.Pool;
  const stores: EventStore[] = [];
  const children: ChildProcess[] = [];

  const startWriter = (mode: 'hold' | 'loop', idleMs: number): Promise<ChildProcess> => {
    const child = fork(fileURLToPath(new URL('./fixtures/postgresStalledWriter.ts', import.meta.url)), [databaseUrl(), schema, mode, String(idleMs)], {
      execArgv: ['--import', 'tsx'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('exit', (code) => reject(new Error(`writer exited with ${code} before it was under way`)));
    });
  };

  /** sessions of this test's stores, by what they last ran */
  const sessions = async (state?: string): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'liandong-event-store' AND query LIKE $1 AND ($2::text IS NULL OR state = $2)`,
        [`%${schema}%`, state ?? null],
      )
    ).rows.map((row) => row.pid);

  beforeEach(async () => {
    schema = `liandong_wp_${randomBytes(6).toString('hex')}`;
    admin = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
    // migrated before any child starts
    stores.push(await openPostgresEventStore({ connectionString: databaseUrl(), schema }));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [`%${schema}%`]);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('a writer stopped while idle in a transaction that holds event_head blocks another for about the idle timeout, then its append is gone', async () => {
    const idleMs = 2000;
    const lockMs = 500;
    const writer = await startWriter('hold', idleMs);
    writer.kill('SIGSTOP');
    // the precondition: its session is idle in a transaction, holding the head row
    expect(await sessions('idle in transaction')).to.have.length(1);

    const other = await openPostgresEventStore({ connectionString: databaseUrl(), schema, lockTimeoutMs: lockMs });
    stores.push(other);
    const started = Date.now();
    const [result] = await other.append([{ streamId: 'other', expectedRevision: 'no_stream', events: events(2, 'other') }]);
    const waited = Date.now() - started;
    console.log(`      blocked ${waited} ms by a stopped writer (idle_in_transaction_session_timeout ${idleMs} ms, lock_timeout ${lockMs} ms, retried)`);
    // it did wait for the stalled session (so the test shows something) and no longer than the server's timeouts allow
    expect(waited).to.be.greaterThan(idleMs / 2);
    expect(waited).to.be.lessThan(idleMs + lockMs + 5000);
    // the stopped writer's append was rolled back with its session: its positions went to the other, dense
    expect(result!.positions).to.deep.equal([1n, 2n]);
    expect(await other.readStream('stalled')).to.deep.equal([]);
  });

  it('a writer stopped anywhere in its appends holds nothing: another keeps appending at once', async () => {
    const writer = await startWriter('loop', 10_000);
    const other = await openPostgresEventStore({ connectionString: databaseUrl(), schema });
    stores.push(other);
    const waits: number[] = [];
    for (let stop = 0; stop < 6; stop++) {
      await sleep(50 + Math.floor(Math.random() * 250));
      writer.kill('SIGSTOP');
      try {
        const started = Date.now();
        await other.append([{ streamId: `other-${stop}`, expectedRevision: 'no_stream', events: events(200, `other-${stop}`) }]);
        waits.push(Date.now() - started);
        // the stopped writer holds no transaction open
        expect(await sessions('idle in transaction')).to.deep.equal([]);
      } finally {
        writer.kill('SIGCONT');
      }
    }
    console.log(`      appends while the other writer was stopped: ${waits.join(', ')} ms`);
    // without the single-statement write a stop inside the transaction would keep these waiting for ever; bound loosely
    for (const waited of waits) expect(waited).to.be.lessThan(4000);
    const positions = (await other.readAll()).map((recorded) => recorded.position);
    expect(positions).to.deep.equal(positions.map((_, index) => BigInt(index + 1)));
  });

  it('appends and reads survive pg_terminate_backend storms: retried on fresh connections, nothing lost or doubled', async () => {
    const store = await openPostgresEventStore({ connectionString: databaseUrl(), schema });
    stores.push(store);
    let killing = true;
    let killed = 0;
    const storm = (async () => {
      while (killing) {
        const pids = await sessions();
        for (const pid of pids) {
          const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
          if (rows[0]!.done) killed++;
        }
        await sleep(15 + Math.floor(Math.random() * 30));
      }
    })();
    const appends = 40;
    const perAppend = 50;
    const results: bigint[][] = [];
    const reads: Promise<unknown>[] = [];
    try {
      for (let round = 0; round < appends; round++) {
        // half with idempotency keys, half without: a lost connection must not double either kind
        const [result] = await store.append([{ streamId: `case-${round}`, expectedRevision: 'no_stream', events: events(perAppend, `r${round}`, round % 2 === 0) }]);
        results.push(result!.positions);
        reads.push(store.readStream(`case-${round}`), store.headPosition());
      }
      await Promise.all(reads);
    } finally {
      killing = false;
      await storm;
    }
    console.log(`      ${killed} sessions terminated during ${appends} appends`);
    expect(killed, 'the storm hit the store').to.be.greaterThan(0);
    const stored = await store.readAll();
    expect(stored).to.have.length(appends * perAppend);
    expect(stored.map((recorded) => recorded.position)).to.deep.equal(stored.map((_, index) => BigInt(index + 1)));
    for (let round = 0; round < appends; round++) {
      const stream = await store.readStream(`case-${round}`);
      expect(stream.map((recorded) => (recorded.data as { index: number }).index)).to.deep.equal(Array.from({ length: perAppend }, (_, index) => index));
      expect(stream.map((recorded) => recorded.position), `positions answered for round ${round}`).to.deep.equal(results[round]);
    }
  });

  it('keeps to its pool size (DATABASE_POOL_MAX) however many calls are in flight', async () => {
    const store = await openPostgresEventStore({ connectionString: databaseUrl(), schema, maxConnections: 2 });
    stores.push(store);
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, (await sessions()).length);
        await sleep(5);
      }
    })();
    await Promise.all(
      Array.from({ length: 12 }, (_, call) =>
        call % 2 === 0
          ? store.append([{ streamId: `pool-${call}`, expectedRevision: 'no_stream', events: events(100, `pool-${call}`) }])
          : store.readAll({ maxCount: 1000 }),
      ),
    );
    sampling = false;
    await sampler;
    // the store opened in beforeEach has one idle connection on this schema too
    expect(most).to.be.within(1, 3);
  });
});
