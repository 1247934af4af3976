/**
 * The PostgreSQL event store against a real server (DATABASE_URL, default liandong_test on 127.0.0.1):
 * the shared contract suite, then what only this adapter promises — no reader ever moves past an
 * append that has not committed yet, several processes appending at once, NOTIFY-driven live delivery,
 * migration, connection handling. Every fixture lives in its own random schema, dropped afterwards.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import pg from 'pg';
import { fixedClock } from '../../infra/clock.js';
import type { EventMetadata, EventStore, NewEvent, RecordedEvent, SubscribeOptions } from '../../ports/eventStore.js';
import { openPostgresEventStore, type PostgresEventStoreOptions } from '../../infra/eventStore/postgresEventStore.js';
import { eventStoreContract } from '../contract/eventStore.contract.js';
import { databaseUrl, probePostgres, requireEngine } from './engines.js';

const metadata: EventMetadata = { source: 'ly-gov', eventId: null, principal: null, channel: 'http', time: '2024-05-06T09:30:00+08:00' };
const event = (type: string, data: Record<string, unknown> = {}, idempotencyKey?: string): NewEvent =>
  idempotencyKey === undefined ? { type, data, metadata } : { type, data, metadata, idempotencyKey };
const numbered = (count: number): NewEvent[] => Array.from({ length: count }, (_, index) => event('tick', { index }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const freshSchema = (): string => `liandong_t_${randomBytes(6).toString('hex')}`;

const open = (schema: string, options: Partial<PostgresEventStoreOptions> = {}): Promise<EventStore> =>
  openPostgresEventStore({ connectionString: databaseUrl(), schema, ...options });

/** what a subscription delivered, in order, plus its errors and whether it caught up */
function collect(store: EventStore, after: bigint | null, onEvent?: SubscribeOptions['onEvent']) {
  const delivered: RecordedEvent[] = [];
  const errors: unknown[] = [];
  let caughtUp = false;
  const subscription = store.subscribe({
    after,
    onEvent: async (recorded) => {
      delivered.push(recorded);
      await onEvent?.(recorded);
    },
    onCaughtUp: () => {
      caughtUp = true;
    },
    onError: (error) => errors.push(error),
  });
  return {
    subscription,
    delivered,
    errors,
    get caughtUp() {
      return caughtUp;
    },
  };
}

const positionsOf = (events: readonly RecordedEvent[]): bigint[] => events.map((recorded) => recorded.position);

describe('PostgreSQL event store (real server)', function () {
  before(requireEngine('postgres', probePostgres));

  let admin: pg.Pool | undefined;
  const adminPool = (): pg.Pool => (admin ??= new pg.Pool({ connectionString: databaseUrl(), max: 2 }));
  const dropSchema = async (schema: string): Promise<void> => {
    await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  };
  after(async () => {
    await admin?.end();
  });

  eventStoreContract('PostgreSQL', async () => {
    const schema = freshSchema();
    const store = await open(schema);
    return {
      store,
      openSecond: () => open(schema),
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  });

  describe('PostgreSQL specifics', () => {
    let schema: string;
    const opened: EventStore[] = [];
    /** a store on this test's schema, closed after the test */
    const openHere = async (options: Partial<PostgresEventStoreOptions> = {}): Promise<EventStore> => {
      const store = await open(schema, options);
      opened.push(store);
      return store;
    };

    beforeEach(() => {
      schema = freshSchema();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await dropSchema(schema);
    });

    describe('global order without visible gaps', () => {
      it('never lets a reader past an append that has not committed, and delivers it in order once it does', async () => {
        let hold = false;
        let reachedCommit: () => void = () => undefined;
        const atCommit = new Promise<void>((resolve) => (reachedCommit = resolve));
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        const slowWriter = await openHere({
          beforeCommit: async () => {
            if (!hold) return;
            hold = false;
            reachedCommit();
            await released;
          },
        });
        const fastWriter = await openHere();
        const reader = await openHere({ pollIntervalMs: 10 });
        await fastWriter.append([{ streamId: 'before', expectedRevision: 'no_stream', events: numbered(1) }]);
        const start = await reader.headPosition();
        const subscriber = collect(reader, start);
        try {
          await waitFor(() => subscriber.caughtUp, 'caught up');

          // the slow append has its rows written and positions taken, but has not committed
          hold = true;
          const slow = slowWriter.append([{ streamId: 'slow', expectedRevision: 'no_stream', events: numbered(2) }]);
          await atCommit;
          // the fast one would take the next positions and commit first, if anything let it
          let fastSettled = false;
          const fast = fastWriter.append([{ streamId: 'fast', expectedRevision: 'no_stream', events: numbered(1) }]).finally(() => {
            fastSettled = true;
          });

          // the technique at work: the fast append's statement waits for the event_head row lock, it cannot commit first
          // (polled until PostgreSQL shows it waiting, so a slow machine cannot make this check early)
          const lockWaiters = async () =>
            Number(
              (
                await adminPool().query<{ count: string }>(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [
                  `/* liandong append ${schema} */%`,
                ])
              ).rows[0]!.count,
            );
          await waitFor(() => lockWaiters().then((n) => n === 1), 'the fast append waiting for the head lock');
          expect(fastSettled, 'fast append finished while the slow one held the head').to.equal(false);
          // a plain sequence would show the fast event here; with the subscriber polling all along, nothing is visible
          await sleep(300);
          expect(subscriber.delivered, 'delivered while the slow append was open').to.deep.equal([]);
          expect(await reader.readAll({ after: start })).to.deep.equal([]);
          expect(await reader.headPosition()).to.equal(start);
          expect(await lockWaiters(), 'still waiting').to.equal(1);

          release();
          const [slowResult] = await slow;
          const [fastResult] = await fast;
          const expected = [...slowResult!.positions, ...fastResult!.positions];
          expect(expected).to.deep.equal([start! + 1n, start! + 2n, start! + 3n]);
          await waitFor(() => subscriber.delivered.length === 3, 'all three events');
          await sleep(50);
          expect(positionsOf(subscriber.delivered)).to.deep.equal(expected);
          expect(subscriber.delivered.map((recorded) => recorded.streamId)).to.deep.equal(['slow', 'slow', 'fast']);
          expect(positionsOf(await reader.readAll({ after: start }))).to.deep.equal(expected);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          release();
          await subscriber.subscription.stop();
        }
      });

      it('leaves no hole when an append rolls back after taking its positions: the next append takes them', async () => {
        let failNext = false;
        const writer = await openHere({
          beforeCommit: async () => {
            if (failNext) throw new Error('crash before commit');
          },
        });
        const [first] = await writer.append([{ streamId: 'case', expectedRevision: 'no_stream', events: numbered(2) }]);
        failNext = true;
        let failure: unknown;
        await writer
          .append([
            { streamId: 'case', expectedRevision: 1, events: numbered(3) },
            { streamId: 'other', expectedRevision: 'no_stream', events: [event('x', {}, 'key-1')] },
          ])
          .catch((error: unknown) => (failure = error));
        expect((failure as Error).message).to.equal('crash before commit');
        failNext = false;

        expect(await writer.headPosition()).to.equal(first!.positions[1]);
        expect(await writer.readStream('case')).to.have.length(2);
        expect(await writer.readStream('other')).to.deep.equal([]);
        expect((await writer.findByIdempotencyKeys(['key-1'])).size).to.equal(0);
        const [next] = await writer.append([{ streamId: 'case', expectedRevision: 1, events: numbered(1) }]);
        expect(next!.positions).to.deep.equal([first!.positions[1]! + 1n]);
        const [other] = await writer.append([{ streamId: 'other', expectedRevision: 'no_stream', events: [event('x', {}, 'key-1')] }]);
        expect(other!.nextExpectedRevision).to.equal(0);
      });

      it('keeps every stream gap-free and every event seen once, in order, with appenders in several processes', async function () {
        this.timeout(120_000);
        const workers = 4;
        const rounds = 40;
        const sharedStreams = 2;
        // migrate first, so the workers measure appending rather than racing to create the schema
        const reader = await openHere();
        const subscriber = collect(reader, null);
        await waitFor(() => subscriber.caughtUp, 'caught up');

        const children = Array.from({ length: workers }, (_, worker) =>
          fork(
            fileURLToPath(new URL('./fixtures/postgresAppendWorker.ts', import.meta.url)),
            [databaseUrl(), schema, String(worker), String(rounds), String(sharedStreams)],
            { execArgv: ['--import', 'tsx'] },
          ),
        );
        const outcomes = children.map(
          (child, worker) =>
            new Promise<{ positions: string[]; conflicts: number }>((resolve, reject) => {
              child.on('message', (message) => {
                if (message !== 'ready') resolve(message as { positions: string[]; conflicts: number });
              });
              child.once('error', reject);
              child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`append worker ${worker} exited with ${code}`))));
            }),
        );
        try {
          await Promise.all(children.map((child) => new Promise((resolve) => child.once('message', resolve))));
          for (const child of children) child.send('go');
          const reports = await Promise.all(outcomes);

          // 1 + 2 + 3 shared events per three rounds, and one own event per round
          const perWorker = Array.from({ length: rounds }, (_, round) => 1 + (round % 3) + 1).reduce((sum, count) => sum + count, 0);
          const total = workers * perWorker;
          const reported = reports.flatMap((report) => report.positions.map(BigInt)).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          expect(reported).to.have.length(total);
          // unique and dense: conflicts rolled back, and a rollback returns its positions
          expect(reported).to.deep.equal(Array.from({ length: total }, (_, index) => BigInt(index + 1)));

          await waitFor(() => subscriber.delivered.length >= total, `${total} events delivered`, 30_000);
          await sleep(100);
          expect(positionsOf(subscriber.delivered), 'the subscriber saw every event once, in position order').to.deep.equal(reported);
          expect(positionsOf(await reader.readAll())).to.deep.equal(reported);
          expect(subscriber.errors).to.deep.equal([]);

          for (let stream = 0; stream < sharedStreams; stream++) {
            const events = await reader.readStream(`shared-${stream}`);
            expect(events.map((recorded) => recorded.revision)).to.deep.equal(Array.from({ length: events.length }, (_, index) => index));
            // each worker's calls to this stream landed whole and in its own order
            for (let worker = 0; worker < workers; worker++) {
              const mine = events
                .map((recorded) => recorded.data as { worker: number; round: number; index: number })
                .filter((data) => data.worker === worker);
              const expectedMine = Array.from({ length: rounds }, (_, round) => round)
                .filter((round) => (worker + round) % sharedStreams === stream)
                .flatMap((round) => Array.from({ length: 1 + (round % 3) }, (_, index) => ({ worker, round, index })));
              expect(mine, `worker ${worker} on shared-${stream}`).to.deep.equal(expectedMine);
            }
          }
          for (let worker = 0; worker < workers; worker++) {
            const own = await reader.readStream(`worker-${worker}`);
            expect(own.map((recorded) => recorded.data)).to.deep.equal(Array.from({ length: rounds }, (_, round) => ({ round })));
          }
          // not asserted (timing-dependent), but a run normally has some: the processes really raced
          void reports.reduce((sum, report) => sum + report.conflicts, 0);
        } finally {
          for (const child of children) if (child.exitCode === null) child.kill();
          await subscriber.subscription.stop();
        }
      });
    });

    describe('live delivery', () => {
      it('wakes a subscriber through NOTIFY within 200 ms of another store’s append, with polling at 10 s', async function () {
        this.timeout(30_000);
        const reader = await openHere({ pollIntervalMs: 10_000 });
        const writer = await openHere(); // another pool: its commits reach the reader only through NOTIFY
        const subscriber = collect(reader, await reader.headPosition());
        try {
          await waitFor(() => subscriber.caughtUp, 'caught up');
          await waitFor(async () => (await listenBackends(schema)).length === 1, 'the LISTEN connection');
          const latencies: number[] = [];
          for (let index = 0; index < 20; index++) {
            const started = performance.now();
            await writer.append([{ streamId: 'case', expectedRevision: index === 0 ? 'no_stream' : index - 1, events: numbered(1) }]);
            await waitFor(() => subscriber.delivered.length === index + 1, `event ${index}`, 1000);
            latencies.push(performance.now() - started);
          }
          latencies.sort((x, y) => x - y);
          expect(latencies.at(-1)!, `latencies (ms): ${latencies.map((ms) => ms.toFixed(1)).join(' ')}`).to.be.below(200);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('re-establishes LISTEN when its connection dies and reads what it missed meanwhile', async function () {
        this.timeout(30_000);
        const reader = await openHere({ pollIntervalMs: 10_000 });
        const writer = await openHere();
        const subscriber = collect(reader, await reader.headPosition());
        try {
          await waitFor(() => subscriber.caughtUp, 'caught up');
          await waitFor(async () => (await listenBackends(schema)).length === 1, 'the LISTEN connection');
          const [killed] = await listenBackends(schema);
          await adminPool().query('SELECT pg_terminate_backend($1)', [killed]);
          // appended while nobody listens: its NOTIFY is lost
          const [missed] = await writer.append([{ streamId: 'case', expectedRevision: 'no_stream', events: numbered(1) }]);
          await waitFor(() => subscriber.delivered.length === 1, 'the event appended while LISTEN was down', 3000);
          expect(positionsOf(subscriber.delivered)).to.deep.equal(missed!.positions);
          await waitFor(async () => (await listenBackends(schema)).some((pid) => pid !== killed), 'a new LISTEN connection');

          const [live] = await writer.append([{ streamId: 'case', expectedRevision: 0, events: numbered(1) }]);
          await waitFor(() => subscriber.delivered.length === 2, 'a live event after the reconnect', 1000);
          expect(positionsOf(subscriber.delivered)).to.deep.equal([...missed!.positions, ...live!.positions]);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('close() releases the pool and the LISTEN connection', async () => {
        const applicationName = `liandong_close_${randomBytes(4).toString('hex')}`;
        const connections = async (): Promise<number> => {
          const { rows } = await adminPool().query<{ count: string }>('SELECT count(*) FROM pg_stat_activity WHERE application_name = $1', [
            applicationName,
          ]);
          return Number(rows[0]!.count);
        };
        const store = await openPostgresEventStore({ connectionString: `${databaseUrl()}?application_name=${applicationName}`, schema });
        opened.push(store);
        const subscriber = collect(store, null);
        await store.append([{ streamId: 'case', expectedRevision: 'no_stream', events: numbered(1) }]);
        await waitFor(() => subscriber.delivered.length === 1, 'delivery');
        await waitFor(async () => (await listenBackends(schema)).length === 1, 'the LISTEN connection');
        expect(await connections()).to.be.at.least(2);
        await store.close();
        await waitFor(async () => (await connections()) === 0, 'every connection closed', 3000);
      });
    });

    describe('schema', () => {
      it('migrates once when several stores open a fresh schema at the same moment', async () => {
        const stores = await Promise.all(Array.from({ length: 4 }, () => openHere()));
        const { rows } = await adminPool().query(`SELECT component, version FROM "${schema}".schema_versions`);
        expect(rows).to.deep.equal([{ component: 'events', version: 2 }]);
        const results = await Promise.all(
          stores.map((store, index) => store.append([{ streamId: `case-${index}`, expectedRevision: 'no_stream', events: numbered(1) }])),
        );
        expect(new Set(results.map(([result]) => result!.positions[0])).size).to.equal(4);
      });

      it('refuses a schema written by newer code', async () => {
        await (await open(schema)).close();
        await adminPool().query(`UPDATE "${schema}".schema_versions SET version = 7 WHERE component = 'events'`);
        let failure: unknown;
        await open(schema).catch((error: unknown) => (failure = error));
        expect((failure as Error).message).to.match(/events schema is version 7/);
      });

      it('refuses a schema name it would have to quote', async () => {
        for (const name of ['Liandong', 'a-b', 'x"; DROP TABLE y; --', '', 'a'.repeat(48)]) {
          let failure: unknown;
          await open(name).catch((error: unknown) => (failure = error));
          expect(failure, name).to.be.instanceOf(Error);
        }
      });
    });

    describe('values', () => {
      it('keeps data and metadata byte for byte: key order, Chinese text, \\u0000, lone surrogates, large numbers', async () => {
        const store = await openHere();
        const data = {
          zeta: 1,
          alpha: { 承办人: '张三', b: [3, '二', null, true, { y: 1, x: 2 }], a: '' },
          nul: 'before\u0000after',
          surrogate: 'lone \ud800 half',
          emoji: '🀄️ 法院',
          numbers: [1e21, -0.000001, 2 ** 53 + 2, 0.1 + 0.2],
          '': 'empty key',
        };
        const richMetadata: EventMetadata = {
          ...metadata,
          extensions: { z: 'last written first', a: { d: 1, c: 2 } },
          subject: '(2024)吉04行初12号',
        };
        const events = [{ type: 'case.registered', data, metadata: richMetadata }];
        await store.append([{ streamId: 'case', expectedRevision: 'no_stream', events }]);
        const [recorded] = await store.readStream('case');
        expect(JSON.stringify(recorded!.data)).to.equal(JSON.stringify(data));
        expect(JSON.stringify(recorded!.metadata)).to.equal(JSON.stringify(richMetadata));
      });

      it('stamps recordedAt from the clock it is given, once per call', async () => {
        const clock = fixedClock('2024-05-06T01:30:00.123Z');
        const store = await openHere({ clock });
        await store.append([
          { streamId: 'a', expectedRevision: 'no_stream', events: [event('x')] },
          { streamId: 'b', expectedRevision: 'no_stream', events: [event('y')] },
        ]);
        clock.advance(1000);
        await store.append([{ streamId: 'a', expectedRevision: 0, events: [event('z')] }]);
        expect((await store.readAll()).map((recorded) => recorded.recordedAt)).to.deep.equal([
          '2024-05-06T01:30:00.123Z',
          '2024-05-06T01:30:00.123Z',
          '2024-05-06T01:30:01.123Z',
        ]);
      });

      it('rejects a negative maxCount instead of reading everything', async () => {
        const store = await openHere();
        for (const read of [() => store.readAll({ maxCount: -1 }), () => store.readStream('a', { maxCount: 1.5 })]) {
          let failure: unknown;
          await read().catch((error: unknown) => (failure = error));
          expect(failure).to.be.instanceOf(RangeError);
        }
      });
    });

    describe('throughput', () => {
      it('appends 100 × 500 events (with idempotency keys, 10 streams per call) and a subscriber keeps up', async function () {
        this.timeout(120_000);
        const store = await openHere();
        const reader = await openHere();
        const subscriber = collect(reader, null);
        await waitFor(() => subscriber.caughtUp, 'caught up');
        const streams = Array.from({ length: 100 }, (_, index) => `case-${index}`);
        const durations: number[] = [];
        const run = randomUUID();
        const started = performance.now();
        for (let call = 0; call < 100; call++) {
          const requests = Array.from({ length: 10 }, (_, slot) => {
            const streamId = streams[(call * 10 + slot) % streams.length]!;
            const round = Math.floor((call * 10 + slot) / streams.length);
            return {
              streamId,
              expectedRevision: round === 0 ? ('no_stream' as const) : round * 50 - 1,
              events: Array.from({ length: 50 }, (_, index) =>
                event('handoff.requested', { caseId: streamId, index, note: '移送材料已签收' }, `ly-gov/${run}/${call}/${slot}/${index}`),
              ),
            };
          });
          const callStarted = performance.now();
          await store.append(requests);
          durations.push(performance.now() - callStarted);
        }
        const appended = performance.now() - started;
        await waitFor(() => subscriber.delivered.length === 50_000, '50,000 events delivered', 60_000);
        const caughtUp = performance.now() - started;
        durations.sort((x, y) => x - y);
        const mean = durations.reduce((sum, ms) => sum + ms, 0) / durations.length;
        console.log(
          `      100 appends × 500 events: median ${durations[50]!.toFixed(1)} ms, mean ${mean.toFixed(1)} ms, ` +
            `max ${durations.at(-1)!.toFixed(1)} ms per append; all appended in ${(appended / 1000).toFixed(2)} s, ` +
            `subscriber caught up at ${(caughtUp / 1000).toFixed(2)} s`,
        );
        expect(positionsOf(subscriber.delivered)).to.deep.equal(Array.from({ length: 50_000 }, (_, index) => BigInt(index + 1)));
        expect(subscriber.errors).to.deep.equal([]);
        await subscriber.subscription.stop();
      });
    });
  });

  /** backend pids LISTENing on this schema's channel */
  async function listenBackends(schemaName: string): Promise<number[]> {
    const { rows } = await adminPool().query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1', [
      `LISTEN "liandong_events_${schemaName}"`,
    ]);
    return rows.map((row) => row.pid);
  }
});
