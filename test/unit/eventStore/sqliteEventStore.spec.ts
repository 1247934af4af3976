import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { fixedClock } from '../../../infra/clock.js';
import { DuplicateEventError, ExpectedRevisionConflict, type EventMetadata, type NewEvent } from '../../../ports/eventStore.js';
import { migrate, openDurableDatabase } from '../../../infra/eventStore/sqliteDatabase.js';
import { openSqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { eventStoreContract } from '../../contract/eventStore.contract.js';
import { eventLoopTurns } from '../eventLoopTurns.js';

eventStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-events-'));
  const open = () => openSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 50 });
  const store = open();
  const cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, openSecond: async () => open(), cleanup };
});

// appends in the calling thread (what a ':memory:' store does, and `writer: 'caller'`): the same contract
eventStoreContract('sqlite, appending in the calling thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'liandong-events-'));
  const open = () => openSqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 50, writer: 'caller' });
  const store = open();
  const cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, openSecond: async () => open(), cleanup };
});

// What only the SQLite adapter promises: durability settings, reopening, rollback, several processes.

const metadata: EventMetadata = { source: 'ly-gov', eventId: null, principal: null, channel: 'http', time: '2024-05-06T09:30:00+08:00' };
const event = (type: string, data: Record<string, unknown> = {}, idempotencyKey?: string): NewEvent =>
  idempotencyKey === undefined ? { type, data, metadata } : { type, data, metadata, idempotencyKey };

describe('SQLite event store', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-sqlite-'));
    path = join(dir, 'events.db');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses WAL with synchronous FULL', async () => {
    const store = openSqliteEventStore({ path });
    try {
      expect(store.database.pragma('journal_mode', { simple: true })).to.equal('wal');
      expect(store.database.pragma('synchronous', { simple: true })).to.equal(2); // 2 = FULL
      expect(store.database.pragma('busy_timeout', { simple: true })).to.be.greaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('keeps events, revisions and idempotency keys across close and reopen', async () => {
    const first = openSqliteEventStore({ path });
    const [result] = await first.append([
      { streamId: 'case-1', expectedRevision: 'no_stream', events: [event('case.registered', { title: '行政复议' }, 'ly-gov/1'), event('x')] },
    ]);
    await first.close();

    const reopened = openSqliteEventStore({ path });
    try {
      expect((await reopened.readStream('case-1')).map((recorded) => recorded.data)).to.deep.equal([{ title: '行政复议' }, {}]);
      expect(await reopened.headPosition()).to.equal(result!.positions[1]);
      expect(await reopened.findByIdempotencyKeys(['ly-gov/1'])).to.deep.equal(new Map([['ly-gov/1', result!.positions[0]]]));
      const [next] = await reopened.append([{ streamId: 'case-1', expectedRevision: 1, events: [event('y')] }]);
      expect(next!.positions[0]! > result!.positions[1]!).to.equal(true);
    } finally {
      await reopened.close();
    }
  });

  it('rolls back the whole call when a write fails midway, leaving nothing behind', async () => {
    const store = openSqliteEventStore({ path });
    try {
      await store.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [event('a')] }]);
      const unserializable = { amount: 10n }; // JSON.stringify throws on a bigint
      let failure: unknown;
      try {
        await store.append([
          { streamId: 'case-2', expectedRevision: 'no_stream', events: [event('b', {}, 'key-b')] },
          { streamId: 'case-1', expectedRevision: 0, events: [event('c'), event('d', unserializable)] },
        ]);
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(TypeError);
      expect(await store.readStream('case-2')).to.deep.equal([]);
      expect(await store.readStream('case-1')).to.have.length(1);
      expect((await store.findByIdempotencyKeys(['key-b'])).size).to.equal(0);
      expect(store.database.prepare('SELECT count(*) FROM events').pluck().get()).to.equal(1);
      expect(store.database.prepare('SELECT stream_id, revision FROM streams').all()).to.deep.equal([{ stream_id: 'case-1', revision: 0 }]);
      // and the store is still usable with the revisions it had
      await store.append([{ streamId: 'case-2', expectedRevision: 'no_stream', events: [event('b', {}, 'key-b')] }]);
    } finally {
      await store.close();
    }
  });

  it('finds a whole batch of idempotency keys at once, whatever characters they hold', async () => {
    const store = openSqliteEventStore({ path });
    try {
      // quotes, backslashes and Chinese: the keys travel to SQLite as one JSON array
      const odd = ['ly-gov/"quoted"', 'ly-gov/back\\slash', 'ly-gov/案件-1', 'ly-gov/comma,]'];
      const many = Array.from({ length: 1500 }, (_, i) => `ly-gov/e${i}`);
      const [result] = await store.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [...odd, ...many].map((key) => event('x', {}, key)) }]);
      const asked = [...odd, 'ly-gov/unknown', ...many, odd[0]!];
      const found = await store.findByIdempotencyKeys(asked);
      expect(found.size).to.equal(odd.length + many.length);
      expect(found.get('ly-gov/unknown')).to.equal(undefined);
      [...odd, ...many].forEach((key, i) => expect(found.get(key), key).to.equal(result!.positions[i]));
      expect((await store.findByIdempotencyKeys([])).size).to.equal(0);
    } finally {
      await store.close();
    }
  });

  it('stamps recordedAt from the clock it is given, once per call', async () => {
    const clock = fixedClock('2024-05-06T01:30:00.000Z');
    const store = openSqliteEventStore({ path: ':memory:', clock });
    try {
      await store.append([
        { streamId: 'a', expectedRevision: 'no_stream', events: [event('x')] },
        { streamId: 'b', expectedRevision: 'no_stream', events: [event('y')] },
      ]);
      clock.advance(1000);
      await store.append([{ streamId: 'a', expectedRevision: 0, events: [event('z')] }]);
      expect((await store.readAll()).map((recorded) => recorded.recordedAt)).to.deep.equal([
        '2024-05-06T01:30:00.000Z',
        '2024-05-06T01:30:00.000Z',
        '2024-05-06T01:30:01.000Z',
      ]);
    } finally {
      await store.close();
    }
  });

  it('wakes its own subscribers on commit without waiting for the poll', async () => {
    const store = openSqliteEventStore({ path, pollIntervalMs: 60_000 });
    const seen: string[] = [];
    const subscription = store.subscribe({ after: null, onEvent: (recorded) => void seen.push(recorded.type) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await store.append([{ streamId: 'a', expectedRevision: 'no_stream', events: [event('x')] }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).to.deep.equal(['x']);
    } finally {
      await subscription.stop();
      await store.close();
    }
  });

  it('catches a subscriber up a page at a time, the event loop going round between pages', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    try {
      await store.append([{ streamId: 'a', expectedRevision: 'no_stream', events: Array.from({ length: 1000 }, (_, n) => event('x', { n })) }]);
      const turns = eventLoopTurns();
      let seen = 0;
      const caughtUp = new Promise<void>((resolve) => {
        const subscription = store.subscribe({ after: null, onEvent: () => void (seen += 1), onCaughtUp: () => resolve(void subscription.stop()) });
      });
      await caughtUp;
      turns.stop();
      expect(seen).to.equal(1000);
      // pages of 250, read synchronously: read back to back they would have shared a single turn
      expect(turns.count()).to.be.at.least(3);
    } finally {
      await store.close();
    }
  });

  it('refuses a file whose schema is newer than this program', async () => {
    const db = openDurableDatabase(path);
    migrate(db, 'events', ['CREATE TABLE a (x)', 'CREATE TABLE b (x)', 'CREATE TABLE c (x)']);
    db.close();
    expect(() => openSqliteEventStore({ path })).to.throw(/events schema is version 3/);
  });

  it('rejects a negative maxCount instead of reading everything', async () => {
    const store = openSqliteEventStore({ path: ':memory:' });
    try {
      let failure: unknown;
      await store.readAll({ maxCount: -1 }).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(RangeError);
    } finally {
      await store.close();
    }
  });

  it('appends in a thread of its own: waiting for another connection\'s write lock holds up nothing here', async () => {
    const store = openSqliteEventStore({ path });
    const other = openDurableDatabase(path);
    try {
      await store.append([{ streamId: 'case-1', expectedRevision: 'no_stream', events: [event('case.registered')] }]);
      other.exec('BEGIN IMMEDIATE');
      let settled: string | null = null;
      const appending = store.append([{ streamId: 'case-1', expectedRevision: 0, events: [event('handoff.requested')] }]).then(
        ([result]) => (settled = `appended at ${result!.positions[0]}`),
        (error: Error) => (settled = `failed: ${error.message}`),
      );
      // appended in this thread, the insert would wait here for the lock (busy timeout 5 s), timers and all
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).to.equal(null);
      other.exec('COMMIT');
      await appending;
      expect(settled).to.equal('appended at 2');
      // the port's errors keep their class and fields across the thread
      const conflict = await store.append([{ streamId: 'case-1', expectedRevision: 0, events: [event('handoff.received')] }]).catch((error: unknown) => error);
      expect(conflict).to.be.instanceOf(ExpectedRevisionConflict);
      expect(conflict).to.include({ streamId: 'case-1', expected: 0, actual: 1 });
      await store.append([{ streamId: 'case-2', expectedRevision: 'any', events: [event('case.registered', {}, 'ly-gov/e-1')] }]);
      const duplicate = await store.append([{ streamId: 'case-3', expectedRevision: 'any', events: [event('case.registered', {}, 'ly-gov/e-1')] }]).catch((error: unknown) => error);
      expect(duplicate).to.be.instanceOf(DuplicateEventError);
      expect(duplicate).to.include({ idempotencyKey: 'ly-gov/e-1' });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('stays consistent with several processes writing the same file at once', async function () {
    this.timeout(60_000);
    // create the schema first so the workers do not all race to migrate a brand-new file
    await openSqliteEventStore({ path }).close();
    const workers = 4;
    const rounds = 50;
    const children = Array.from({ length: workers }, (_, worker) =>
      fork(fileURLToPath(new URL('./fixtures/appendWorker.ts', import.meta.url)), [path, String(worker), String(rounds)], {
        execArgv: ['--import', 'tsx'],
      }),
    );
    const outcomes = children.map(
      (child, worker) =>
        new Promise<{ conflicts: number }>((resolve, reject) => {
          child.on('message', (message) => {
            if (message !== 'ready') resolve(message as { conflicts: number });
          });
          child.once('error', reject);
          child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`append worker ${worker} exited with ${code}`))));
        }),
    );
    await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
    for (const child of children) child.send('go');
    const conflicts = (await Promise.all(outcomes)).reduce((sum, outcome) => sum + outcome.conflicts, 0);

    const store = openSqliteEventStore({ path });
    try {
      const all = await store.readAll();
      expect(all).to.have.length(workers * rounds * 2);
      for (let index = 1; index < all.length; index++) expect(all[index]!.position > all[index - 1]!.position).to.equal(true);
      const shared = await store.readStream('shared');
      expect(shared.map((recorded) => recorded.revision)).to.deep.equal(Array.from({ length: workers * rounds }, (_, index) => index));
      for (let worker = 0; worker < workers; worker++) {
        const own = await store.readStream(`worker-${worker}`);
        expect(own.map((recorded) => recorded.data)).to.deep.equal(Array.from({ length: rounds }, (_, round) => ({ round })));
      }
      // not asserted (timing-dependent), but a run normally sees a few: the processes really did race
      void conflicts;
    } finally {
      await store.close();
    }
  });
});
