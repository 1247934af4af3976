/**
 * `liandong audit verify` and `liandong replay` stop on Ctrl+C (issue 13): a process signal is delivered
 * only when the event loop turns, and the SQLite store answers synchronously, so the walks must let the
 * loop turn between pages — otherwise the signal waits until the whole store was read. Replay also stops
 * at the next slice once its AbortSignal is aborted.
 */
import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { fixedClock } from '../../../infra/clock.js';
import type { AppendRequest } from '../../../ports/eventStore.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import { replayProjections } from '../../../infra/audit/replay.js';
import { trustedKeys } from '../../../infra/audit/signingKey.js';
import { verifyStore } from '../../../infra/audit/verify.js';
import { allProjections } from '../../../projections/index.js';
import { eventLoopTurns } from '../eventLoopTurns.js';

const registration = (index: number): AppendRequest => ({
  streamId: `case-I${index}`,
  expectedRevision: 'no_stream',
  events: [
    {
      type: 'case.registered',
      data: { kind: 'civil_dispute', title: `买卖合同纠纷 ${index}`, parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }] },
      metadata: { source: 'xj-court', eventId: `i-${index}`, principal: 'court-system', channel: 'http', time: '2024-09-10T09:00:00+08:00', subject: `I${index}` },
    },
  ],
});

describe('audit walks let signals in (issue 13)', function () {
  this.timeout(60_000);
  let store: SqliteEventStore;
  before(async () => {
    store = openSqliteEventStore({ path: ':memory:', clock: fixedClock('2024-12-31T02:00:00.000Z') });
    for (let from = 0; from < 20_000; from += 1000) await store.append(Array.from({ length: 1000 }, (_, offset) => registration(from + offset)));
  });
  after(() => store.close());

  it('verifyStore turns the event loop between pages (issue 14: once a slice has run 10 ms)', async () => {
    const turns = eventLoopTurns();
    const report = await verifyStore({ store, trustedKeys: trustedKeys([]) });
    const during = turns.count();
    turns.stop();
    expect(report.checked).to.equal(20_000);
    expect(during, 'event-loop turns while 20 pages were verified').to.be.at.least(2);
    expect(turns.worstGapMs(), 'longest stretch without a turn (ms of CPU time; a page is ~10 ms)').to.be.below(200);
  });

  it('replayProjections stops at the next slice once aborted, with the signal’s reason', async () => {
    const live = openEmbeddedReadModelStore({ path: ':memory:' });
    const scratch = openEmbeddedReadModelStore({ path: ':memory:' });
    // the live read models claim the head, so the replay rebuilds all 20,000 events in slices of 1,000
    for (const projection of allProjections()) await live.commit(projection.name, 20_000n, []);
    const controller = new AbortController();
    const reason = new Error('stopped');
    let slices = 0;
    try {
      const replay = replayProjections({
        store,
        live,
        scratch,
        projections: allProjections(),
        ctx: { deadlines: { calendar: chineseDaysCalendar(), policy: DEFAULT_DEADLINE_POLICY } },
        batchSize: 1000,
        signal: controller.signal,
        onProgress: () => {
          slices += 1;
          if (slices === 3) controller.abort(reason);
        },
      });
      const turns = eventLoopTurns();
      const outcome = await replay.then(
        () => 'finished',
        (error: unknown) => error,
      );
      turns.stop();
      expect(outcome).to.equal(reason);
      expect(slices, 'slices rebuilt before it stopped').to.be.below(6);
    } finally {
      await live.close();
      await scratch.close();
    }
  });
});
