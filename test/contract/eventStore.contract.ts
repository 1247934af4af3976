/**
 * The EventStore contract: every adapter (SQLite, PostgreSQL, EventStoreDB) runs this suite from a
 * 5-line spec:
 *
 *   eventStoreContract('sqlite', async () => {
 *     const path = tempFile();
 *     return { store: open(path), openSecond: async () => open(path), cleanup: async () => remove(path) };
 *   });
 *
 * The suite never assumes the store is empty, so a server-backed adapter may share one database between
 * tests: every test writes to streams with fresh random ids and reads the global order starting from the
 * head it saw first, ignoring other streams. It does assume nobody else writes while a test runs
 * (headPosition is compared exactly).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  DuplicateEventError,
  ExpectedRevisionConflict,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  type SubscribeOptions,
} from '../../ports/eventStore.js';
import { eventHash } from '../../infra/eventStore/eventHash.js';

export interface EventStoreFixture {
  /** a ready store; cleanup() closes it */
  store: EventStore;
  /**
   * Opens another store on the same backing storage, as a second process would (same file, same
   * database, same server). The test closes it.
   */
  openSecond(): Promise<EventStore>;
  /** closes `store` and releases the backing storage */
  cleanup(): Promise<void>;
}

export type EventStoreFactory = () => Promise<EventStoreFixture>;

const metadata: EventMetadata = {
  source: 'ly-court',
  eventId: null,
  principal: 'court-clerk',
  channel: 'http',
  time: '2024-05-06T09:30:00+08:00',
};

const event = (type: string, data: Record<string, unknown> = {}, idempotencyKey?: string): NewEvent => ({
  type,
  data,
  metadata,
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

const numbered = (count: number, type = 'handoff.requested'): NewEvent[] =>
  Array.from({ length: count }, (_, index) => event(type, { index }));

const streamName = (label: string): string => `${label}-${randomUUID()}`;

const positionsOf = (events: readonly RecordedEvent[]): bigint[] => events.map((recorded) => recorded.position);

async function expectRejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as E;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** a few turns of the event loop, so that anything already due runs (no wall-clock time involved) */
const turns = async (n = 10): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

/**
 * A barrier instead of a sleep: resolves once a fresh subscription from `after` has been delivered `count`
 * events of the stream. By then the store has handed those events to its subscribers, so a test that checks
 * that some other subscription did NOT get them is not just checking too early.
 */
async function deliveredTo(store: EventStore, after: bigint | null, streamId: string, count: number): Promise<void> {
  const sentinel = recorder(store, after);
  try {
    await waitFor(() => sentinel.of([streamId]).length >= count, `a second subscriber to receive ${count} events of ${streamId}`, 15_000);
  } finally {
    await sentinel.subscription.stop();
  }
}

/** Collects what a subscription delivers and checks, on every delivery, the order and one-at-a-time rules. */
function recorder(store: EventStore, after: bigint | null, onEvent?: (event: RecordedEvent) => Promise<void> | void) {
  const delivered: RecordedEvent[] = [];
  const errors: unknown[] = [];
  let caughtUpCalls = 0;
  let caughtUpAfter = -1;
  let inFlight = 0;
  const options: SubscribeOptions = {
    after,
    onEvent: async (recorded) => {
      inFlight += 1;
      try {
        if (inFlight > 1) errors.push(new Error('onEvent called while another call was in flight'));
        const previous = delivered.at(-1)?.position ?? after;
        if (previous !== null && recorded.position <= previous) {
          errors.push(new Error(`position ${recorded.position} delivered after ${previous}`));
        }
        delivered.push(recorded);
        await onEvent?.(recorded);
      } finally {
        inFlight -= 1;
      }
    },
    onCaughtUp: () => {
      caughtUpCalls += 1;
      caughtUpAfter = delivered.length;
    },
    onError: (error) => errors.push(error),
  };
  const subscription = store.subscribe(options);
  return {
    subscription,
    delivered,
    errors,
    get caughtUpCalls() {
      return caughtUpCalls;
    },
    /** how many events had been delivered when onCaughtUp ran */
    get caughtUpAfter() {
      return caughtUpAfter;
    },
    of: (streamIds: readonly string[]) => delivered.filter((recorded) => streamIds.includes(recorded.streamId)),
  };
}

export function eventStoreContract(name: string, factory: EventStoreFactory): void {
  describe(`EventStore contract: ${name}`, function () {
    let fixture: EventStoreFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('append and read', () => {
      it('round-trips type, data, metadata and idempotency key, including Chinese text', async () => {
        const streamId = streamName('case-京行初');
        const richMetadata: EventMetadata = {
          source: 'ly-court',
          eventId: 'evt-001',
          principal: '辽源市中级人民法院',
          channel: 'kafka',
          time: '2024-05-06T09:30:00+08:00',
          subject: '(2024)吉04行初12号',
          // the catalog version it was published under (events.md §2): read paths upcast by it
          dataschema: 'urn:liandong:case.registered:1',
          extensions: { traceparent: '00-abc-01', 承办人: '张三', nested: { list: [1, '二', null, true] } },
          causedBy: '42',
        };
        const data = { title: '某某公司诉市场监督管理局行政处罚案', parties: [{ name: '李四', role: 'plaintiff', type: 'person' }], amount: 12.5 };
        const [result] = await store.append([
          {
            streamId,
            expectedRevision: 'no_stream',
            events: [
              { type: 'case.registered', data, metadata: richMetadata, idempotencyKey: `ly-court/${randomUUID()}` },
              event('hearing.scheduled', { hearingId: 'h1', at: '2024-06-01T09:00:00+08:00' }),
            ],
          },
        ]);

        const read = await store.readStream(streamId);
        expect(read).to.have.length(2);
        expect(read[0]).to.deep.include({ streamId, revision: 0, type: 'case.registered', data, metadata: richMetadata });
        expect(read[0]!.idempotencyKey).to.match(/^ly-court\//);
        expect(read[1]).to.deep.include({ revision: 1, type: 'hearing.scheduled', metadata, idempotencyKey: null });
        expect(positionsOf(read)).to.deep.equal(result!.positions);
        for (const recorded of read) {
          expect(typeof recorded.position).to.equal('bigint');
          expect(recorded.recordedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        }
      });

      it('numbers revisions from 0 and reports the last one as nextExpectedRevision', async () => {
        const streamId = streamName('case');
        const [first] = await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(3) }]);
        expect(first).to.deep.include({ streamId, nextExpectedRevision: 2 });
        expect(first!.positions).to.have.length(3);
        const [second] = await store.append([{ streamId, expectedRevision: 2, events: numbered(1) }]);
        expect(second!.nextExpectedRevision).to.equal(3);
        expect((await store.readStream(streamId)).map((recorded) => recorded.revision)).to.deep.equal([0, 1, 2, 3]);
      });

      it('returns [] for a stream that does not exist', async () => {
        expect(await store.readStream(streamName('nothing'))).to.deep.equal([]);
      });

      it('reads a stream from a revision, at most maxCount events', async () => {
        const streamId = streamName('case');
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(6) }]);
        const revisions = async (options: { fromRevision?: number; maxCount?: number }) =>
          (await store.readStream(streamId, options)).map((recorded) => recorded.revision);
        expect(await revisions({ fromRevision: 2 })).to.deep.equal([2, 3, 4, 5]);
        expect(await revisions({ maxCount: 2 })).to.deep.equal([0, 1]);
        expect(await revisions({ fromRevision: 3, maxCount: 2 })).to.deep.equal([3, 4]);
        expect(await revisions({ fromRevision: 6 })).to.deep.equal([]);
        expect(await revisions({ maxCount: 0 })).to.deep.equal([]);
      });

      it('answers one result per request, in request order, with positions increasing across streams', async () => {
        const a = streamName('case-a');
        const b = streamName('case-b');
        const results = await store.append([
          { streamId: a, expectedRevision: 'no_stream', events: numbered(2) },
          { streamId: b, expectedRevision: 'no_stream', events: numbered(3) },
        ]);
        expect(results.map((result) => result.streamId)).to.deep.equal([a, b]);
        const later = await store.append([{ streamId: a, expectedRevision: 1, events: numbered(1) }]);
        const positions = [...results.flatMap((result) => result.positions), ...later[0]!.positions];
        for (let index = 1; index < positions.length; index++) {
          expect(positions[index]! > positions[index - 1]!, `position ${index}`).to.equal(true);
        }
      });
    });

    describe('expected revision', () => {
      it('no_stream: creates a new stream, conflicts with an existing one', async () => {
        const streamId = streamName('case');
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(2) }]);
        const conflict = await expectRejection(
          store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(1) }]),
          ExpectedRevisionConflict,
        );
        expect(conflict).to.include({ streamId, expected: 'no_stream', actual: 1 });
      });

      it('a number: must equal the revision of the last event', async () => {
        const streamId = streamName('case');
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(3) }]);
        for (const stale of [0, 1, 3, 7]) {
          const conflict = await expectRejection(
            store.append([{ streamId, expectedRevision: stale, events: numbered(1) }]),
            ExpectedRevisionConflict,
          );
          expect(conflict).to.include({ streamId, expected: stale, actual: 2 });
        }
        await store.append([{ streamId, expectedRevision: 2, events: numbered(1) }]);
        expect(await store.readStream(streamId)).to.have.length(4);
      });

      it('a number on a stream that does not exist conflicts with actual null', async () => {
        const streamId = streamName('case');
        const conflict = await expectRejection(
          store.append([{ streamId, expectedRevision: 0, events: numbered(1) }]),
          ExpectedRevisionConflict,
        );
        expect(conflict).to.include({ streamId, expected: 0, actual: null });
        expect(await store.readStream(streamId)).to.deep.equal([]);
      });

      it('any: appends to a new or an existing stream', async () => {
        const streamId = streamName('platform');
        const [first] = await store.append([{ streamId, expectedRevision: 'any', events: numbered(2) }]);
        expect(first!.nextExpectedRevision).to.equal(1);
        const [second] = await store.append([{ streamId, expectedRevision: 'any', events: numbered(1) }]);
        expect(second!.nextExpectedRevision).to.equal(2);
      });

      it('a conflict appends nothing, not even to the call’s other streams', async () => {
        const fine = streamName('case-fine');
        const stale = streamName('case-stale');
        await store.append([{ streamId: stale, expectedRevision: 'no_stream', events: numbered(1) }]);
        const headBefore = await store.headPosition();

        await expectRejection(
          store.append([
            { streamId: fine, expectedRevision: 'no_stream', events: numbered(2) },
            { streamId: stale, expectedRevision: 'no_stream', events: numbered(1) },
          ]),
          ExpectedRevisionConflict,
        );

        expect(await store.readStream(fine)).to.deep.equal([]);
        expect(await store.readStream(stale)).to.have.length(1);
        expect(await store.headPosition()).to.equal(headBefore);
        // the stream the failed call would have created is still new
        await store.append([{ streamId: fine, expectedRevision: 'no_stream', events: numbered(1) }]);
      });
    });

    describe('idempotency keys', () => {
      it('finds the original positions of stored keys and omits unknown ones', async () => {
        const streamId = streamName('case');
        const keys = [`ly-court/${randomUUID()}`, `ly-court/${randomUUID()}`];
        const [result] = await store.append([
          { streamId, expectedRevision: 'no_stream', events: [event('a', {}, keys[0]), event('b'), event('c', {}, keys[1])] },
        ]);
        const unknown = `ly-court/${randomUUID()}`;
        const found = await store.findByIdempotencyKeys([keys[1]!, unknown, keys[0]!]);
        expect([...found.entries()].sort()).to.deep.equal(
          [
            [keys[0], result!.positions[0]],
            [keys[1], result!.positions[2]],
          ].sort(),
        );
        expect((await store.findByIdempotencyKeys([])).size).to.equal(0);
      });

      it('rejects a key stored by an earlier call, and appends nothing of that call', async () => {
        const key = `ly-police/${randomUUID()}`;
        const first = streamName('case');
        const other = streamName('case');
        await store.append([{ streamId: first, expectedRevision: 'no_stream', events: [event('a', {}, key)] }]);
        const headBefore = await store.headPosition();

        const duplicate = await expectRejection(
          store.append([
            { streamId: other, expectedRevision: 'no_stream', events: numbered(2) },
            { streamId: first, expectedRevision: 0, events: [event('b'), event('a', {}, key)] },
          ]),
          DuplicateEventError,
        );

        expect(duplicate.idempotencyKey).to.equal(key);
        expect(await store.readStream(other)).to.deep.equal([]);
        expect(await store.readStream(first)).to.have.length(1);
        expect(await store.headPosition()).to.equal(headBefore);
      });

      it('rejects a key repeated within one call, and appends nothing', async () => {
        const key = `ly-police/${randomUUID()}`;
        const a = streamName('case-a');
        const b = streamName('case-b');
        const headBefore = await store.headPosition();

        const duplicate = await expectRejection(
          store.append([
            { streamId: a, expectedRevision: 'no_stream', events: [event('x', {}, key)] },
            { streamId: b, expectedRevision: 'no_stream', events: [event('y', {}, key)] },
          ]),
          DuplicateEventError,
        );

        expect(duplicate.idempotencyKey).to.equal(key);
        expect(await store.readStream(a)).to.deep.equal([]);
        expect(await store.readStream(b)).to.deep.equal([]);
        expect(await store.headPosition()).to.equal(headBefore);
        expect((await store.findByIdempotencyKeys([key])).size).to.equal(0);
      });
    });

    describe('readAll and headPosition', () => {
      it('reads every stream in position order; `after` is exclusive; maxCount pages', async () => {
        const start = await store.headPosition();
        const a = streamName('case-a');
        const b = streamName('case-b');
        const appended = [
          ...(await store.append([{ streamId: a, expectedRevision: 'no_stream', events: numbered(3) }])),
          ...(await store.append([
            { streamId: b, expectedRevision: 'no_stream', events: numbered(2) },
            { streamId: a, expectedRevision: 2, events: numbered(2) },
          ])),
        ].flatMap((result) => result.positions);

        const everything = (await store.readAll({ after: start })).filter((recorded) => [a, b].includes(recorded.streamId));
        expect(positionsOf(everything)).to.deep.equal(appended);
        expect(everything.map((recorded) => `${recorded.streamId === a ? 'a' : 'b'}${recorded.revision}`)).to.deep.equal([
          'a0', 'a1', 'a2', 'b0', 'b1', 'a3', 'a4',
        ]);

        const paged: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2 });
          expect(page.length).to.be.at.most(2);
          if (page.length === 0) break;
          paged.push(...page);
          after = page.at(-1)!.position;
        }
        expect(positionsOf(paged.filter((recorded) => [a, b].includes(recorded.streamId)))).to.deep.equal(appended);

        const fromThird = await store.readAll({ after: appended[2]!, maxCount: 1 });
        expect(positionsOf(fromThird)).to.deep.equal([appended[3]]);
        expect(await store.readAll({ after: appended.at(-1)! })).to.deep.equal([]);
      });

      it('reads from the beginning when `after` is null or omitted', async () => {
        const [result] = await store.append([{ streamId: streamName('case'), expectedRevision: 'no_stream', events: numbered(1) }]);
        const first = await store.readAll({ maxCount: 1 });
        const alsoFirst = await store.readAll({ after: null, maxCount: 1 });
        expect(first).to.have.length(1);
        expect(first[0]!.position <= result!.positions[0]!).to.equal(true);
        expect(alsoFirst).to.deep.equal(first);
      });

      it('headPosition is the last appended position', async () => {
        const before = await store.headPosition();
        const [result] = await store.append([{ streamId: streamName('case'), expectedRevision: 'no_stream', events: numbered(4) }]);
        const head = await store.headPosition();
        expect(head).to.equal(result!.positions.at(-1));
        if (before !== null) expect(head! > before).to.equal(true);
      });
    });

    describe('concurrent appenders', () => {
      it('of 20 racing for the same revision, exactly one wins and the rest conflict', async () => {
        const streamId = streamName('case');
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(1) }]);
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, appender) =>
            store.append([{ streamId, expectedRevision: 0, events: [event('race', { appender })] }]),
          ),
        );
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
        expect(winners).to.have.length(1);
        for (const reason of losers) expect(reason).to.be.instanceOf(ExpectedRevisionConflict);

        const stream = await store.readStream(streamId);
        expect(stream).to.have.length(2);
        expect(stream[1]!.data).to.deep.equal({ appender: outcomes.indexOf(winners[0]!) });
      });

      it('20 appenders retrying on conflict leave one gap-free stream holding every event once', async () => {
        const streamId = streamName('case');
        const perAppender = 5;
        let conflicts = 0;
        const appendAll = async (appender: number): Promise<void> => {
          let expected: number | 'no_stream' = 'no_stream';
          for (let step = 0; step < perAppender; ) {
            try {
              const [result] = await store.append([{ streamId, expectedRevision: expected, events: [event('race', { appender, step })] }]);
              expected = result!.nextExpectedRevision;
              step += 1;
            } catch (error) {
              if (!(error instanceof ExpectedRevisionConflict)) throw error;
              conflicts += 1;
              expected = error.actual ?? 'no_stream';
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, appender) => appendAll(appender)));

        const stream = await store.readStream(streamId);
        expect(stream.map((recorded) => recorded.revision)).to.deep.equal(Array.from({ length: 20 * perAppender }, (_, index) => index));
        for (let appender = 0; appender < 20; appender++) {
          const steps = stream
            .map((recorded) => recorded.data as { appender: number; step: number })
            .filter((data) => data.appender === appender)
            .map((data) => data.step);
          expect(steps, `appender ${appender}`).to.deep.equal([0, 1, 2, 3, 4]);
        }
        expect(conflicts, 'the appenders should actually have raced').to.be.greaterThan(0);
      });

      it('many appenders on different streams all succeed with distinct positions', async () => {
        const streams = Array.from({ length: 50 }, () => streamName('case'));
        const results = await Promise.all(
          streams.map((streamId) => store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(3) }])),
        );
        const positions = results.flatMap(([result]) => result!.positions);
        expect(new Set(positions).size).to.equal(150);
        for (const streamId of streams) expect(await store.readStream(streamId)).to.have.length(3);
      });
    });

    describe('hash chain (audit)', () => {
      /** every event's hash recomputes from what was read, and links to its predecessor in the stream */
      const expectChained = (events: readonly RecordedEvent[]): void => {
        events.forEach((recorded, index) => {
          expect(recorded.prevHash, `prevHash of revision ${recorded.revision}`).to.equal(index === 0 ? null : events[index - 1]!.hash);
          expect(recorded.hash, `hash of revision ${recorded.revision}`).to.match(/^[0-9a-f]{64}$/);
          expect(eventHash(recorded), `hash of revision ${recorded.revision} recomputed`).to.equal(recorded.hash);
        });
      };

      it('chains each stream at append: revision 0 has no prevHash, every later one the hash before it', async () => {
        const a = streamName('case');
        const b = streamName('case');
        await store.append([
          { streamId: a, expectedRevision: 'no_stream', events: numbered(3) },
          { streamId: b, expectedRevision: 'no_stream', events: numbered(2) },
          { streamId: a, expectedRevision: 2, events: numbered(1) },
        ]);
        await store.append([{ streamId: b, expectedRevision: 'any', events: numbered(2) }]);
        const streamA = await store.readStream(a);
        const streamB = await store.readStream(b);
        expect(streamA).to.have.length(4);
        expect(streamB).to.have.length(4);
        expectChained(streamA);
        expectChained(streamB);
        expect(new Set([...streamA, ...streamB].map((recorded) => recorded.hash)).size, 'identical events still differ').to.equal(8);
      });

      it('hands out the same hash on every read path and continues the chain from another connection', async () => {
        const streamId = streamName('case');
        const head = await store.headPosition();
        await store.append([{ streamId, expectedRevision: 'no_stream', events: [event('case.registered', { title: '某某公司诉市场监督管理局', amount: 1e21, 承办人: '张三' })] }]);
        const second = await fixture.openSecond();
        try {
          await second.append([{ streamId, expectedRevision: 0, events: numbered(2) }]);
          const viaStream = await store.readStream(streamId);
          const viaAll = (await store.readAll({ after: head })).filter((recorded) => recorded.streamId === streamId);
          expect(viaAll.map((recorded) => [recorded.hash, recorded.prevHash])).to.deep.equal(viaStream.map((recorded) => [recorded.hash, recorded.prevHash]));
          expectChained(viaStream);
        } finally {
          await second.close();
        }
      });

      it('chains racing appenders onto one line: no two events share a predecessor', async () => {
        const streamId = streamName('case');
        await Promise.all(
          Array.from({ length: 10 }, async (_, appender) => {
            for (;;) {
              try {
                await store.append([{ streamId, expectedRevision: 'any', events: [event('race', { appender })] }]);
                return;
              } catch (error) {
                if (!(error instanceof ExpectedRevisionConflict)) throw error;
              }
            }
          }),
        );
        const stream = await store.readStream(streamId);
        expect(stream).to.have.length(10);
        expectChained(stream);
      });
    });

    describe('subscriptions', () => {
      it('catches up from the beginning, reports caught up once, then delivers live events', async () => {
        const streamId = streamName('case');
        const before = await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(5) }]);
        const subscriber = recorder(store, null);
        try {
          await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp');
          expect(positionsOf(subscriber.of([streamId]))).to.deep.equal(before[0]!.positions);
          const lastStoredBefore = subscriber.delivered.findIndex((recorded) => recorded.position === before[0]!.positions.at(-1));
          expect(subscriber.caughtUpAfter).to.be.greaterThan(lastStoredBefore);

          const live = await store.append([{ streamId, expectedRevision: 4, events: numbered(3) }]);
          await waitFor(() => subscriber.of([streamId]).length === 8, 'live events');
          expect(positionsOf(subscriber.of([streamId]))).to.deep.equal([...before[0]!.positions, ...live[0]!.positions]);
          await deliveredTo(store, before[0]!.positions.at(-1)!, streamId, 3);
          expect(subscriber.caughtUpCalls).to.equal(1);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('starts after a checkpoint, exclusively', async () => {
        const streamId = streamName('case');
        const [result] = await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(5) }]);
        const subscriber = recorder(store, result!.positions[1]!);
        try {
          await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp');
          expect(positionsOf(subscriber.delivered)).to.deep.equal(result!.positions.slice(2));
          expect(subscriber.delivered.map((recorded) => recorded.revision)).to.deep.equal([2, 3, 4]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('reports caught up at once when nothing follows the checkpoint', async () => {
        await store.append([{ streamId: streamName('case'), expectedRevision: 'no_stream', events: numbered(1) }]);
        const subscriber = recorder(store, await store.headPosition());
        try {
          await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp');
          expect(subscriber.delivered).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('catches up across many pages, then goes live, in order and without duplicates', async function () {
        this.timeout(60_000);
        const start = await store.headPosition();
        const streams = Array.from({ length: 10 }, () => streamName('case'));
        const expected: bigint[] = [];
        for (let batch = 0; batch < 5; batch++) {
          const results = await store.append(
            streams.map((streamId) => ({ streamId, expectedRevision: batch === 0 ? 'no_stream' : batch * 50 - 1, events: numbered(50) })),
          );
          expected.push(...results.flatMap((result) => result.positions));
        }
        const subscriber = recorder(store, start);
        try {
          await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp', 30_000);
          expect(subscriber.caughtUpAfter).to.be.at.least(2500);
          const live = await store.append(streams.map((streamId) => ({ streamId, expectedRevision: 249, events: numbered(150) })));
          expected.push(...live.flatMap((result) => result.positions));
          await waitFor(() => subscriber.of(streams).length === 4000, '4000 events', 30_000);
          expect(positionsOf(subscriber.of(streams))).to.deep.equal(expected);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('delivers events appended during delivery exactly once', async () => {
        const streamId = streamName('case');
        const start = await store.headPosition();
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(1) }]);
        let next = 1;
        const subscriber = recorder(store, start, async (recorded) => {
          // every delivery of this stream appends the next event, while the subscriber is busy
          if (recorded.streamId === streamId && next < 20) {
            await store.append([{ streamId, expectedRevision: next - 1, events: numbered(1) }]);
            next += 1;
          }
        });
        try {
          await waitFor(() => subscriber.of([streamId]).length === 20, '20 events');
          await deliveredTo(store, start, streamId, 20);
          expect(subscriber.of([streamId]).map((recorded) => recorded.revision)).to.deep.equal(
            Array.from({ length: 20 }, (_, index) => index),
          );
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('a slow subscriber gets everything in order, one event at a time, while appenders keep writing', async function () {
        this.timeout(30_000);
        const subscriber = recorder(store, await store.headPosition(), () => sleep(1));
        const streams = Array.from({ length: 3 }, () => streamName('case'));
        try {
          const appended = await Promise.all(
            streams.map(async (streamId) => {
              const positions: bigint[] = [];
              for (let index = 0; index < 20; index++) {
                const [result] = await store.append([{ streamId, expectedRevision: index === 0 ? 'no_stream' : index - 1, events: numbered(1) }]);
                positions.push(...result!.positions);
                await sleep(0);
              }
              return positions;
            }),
          );
          const expected = appended.flat().sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          await waitFor(() => subscriber.of(streams).length === 60, '60 events', 20_000);
          expect(positionsOf(subscriber.of(streams))).to.deep.equal(expected);
          expect(subscriber.errors).to.deep.equal([]);
        } finally {
          await subscriber.subscription.stop();
        }
      });

      it('stop() waits for the event in flight, then nothing more is delivered', async () => {
        const streamId = streamName('case');
        let release: () => void = () => undefined;
        let finished = 0;
        const subscriber = recorder(store, await store.headPosition(), async () => {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          finished += 1;
        });
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(2) }]);
        await waitFor(() => subscriber.delivered.length === 1, 'first event in flight');

        let stopped = false;
        const stopping = subscriber.subscription.stop().then(() => {
          stopped = true;
        });
        await turns();
        expect(stopped, 'stop() resolved while onEvent was still running').to.equal(false);
        release();
        await stopping;
        expect(finished).to.equal(1);

        const [more] = await store.append([{ streamId, expectedRevision: 1, events: numbered(2) }]);
        await deliveredTo(store, more!.positions[0]! - 1n, streamId, 2);
        expect(subscriber.delivered).to.have.length(1);
      });

      it('ends with onError when onEvent throws, delivering nothing after the failed event', async () => {
        const streamId = streamName('case');
        const failure = new Error('projection failed');
        const subscriber = recorder(store, await store.headPosition(), (recorded) => {
          if (recorded.revision === 1) throw failure;
        });
        await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(4) }]);
        await waitFor(() => subscriber.errors.length > 0, 'onError');
        const [more] = await store.append([{ streamId, expectedRevision: 3, events: numbered(1) }]);
        await deliveredTo(store, more!.positions[0]! - 1n, streamId, 1);
        expect(subscriber.errors).to.deep.equal([failure]);
        expect(subscriber.delivered.map((recorded) => recorded.revision)).to.deep.equal([0, 1]);
        await subscriber.subscription.stop();
      });

      it('sees events written through a second store on the same storage', async function () {
        this.timeout(20_000);
        const second = await fixture.openSecond();
        const subscriber = recorder(store, await store.headPosition());
        try {
          await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp');
          const streamId = streamName('case');
          const [result] = await second.append([{ streamId, expectedRevision: 'no_stream', events: numbered(3) }]);
          await waitFor(() => subscriber.of([streamId]).length === 3, 'events from the second store', 15_000);
          expect(positionsOf(subscriber.of([streamId]))).to.deep.equal(result!.positions);
          // and the first store's reads see them too
          expect(await store.readStream(streamId)).to.have.length(3);
        } finally {
          await subscriber.subscription.stop();
          await second.close();
        }
      });

      it('close() ends the store’s subscriptions', async () => {
        const second = await fixture.openSecond();
        const subscriber = recorder(second, await second.headPosition());
        await waitFor(() => subscriber.caughtUpCalls === 1, 'onCaughtUp');
        await second.close();
        await subscriber.subscription.stop();
        const streamId = streamName('case');
        const [more] = await store.append([{ streamId, expectedRevision: 'no_stream', events: numbered(1) }]);
        await deliveredTo(store, more!.positions[0]! - 1n, streamId, 1);
        expect(subscriber.delivered).to.deep.equal([]);
      });
    });
  });
}
