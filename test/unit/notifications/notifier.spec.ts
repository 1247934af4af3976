/**
 * The notifier with real parts: the SQLite event store, the clocks projection in the embedded read-model store, the
 * SQLite outbox and a real local HTTP receiver behind the webhook sender. The clock of the platform is set by the test.
 */
import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { createNotifier, type Notifier } from '../../../application/notifier.js';
import { DEFAULT_DEADLINE_POLICY, lastDueWithinWorkingDays } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openSqliteOutbox } from '../../../infra/notifications/sqliteOutbox.js';
import { createWebhookSender } from '../../../infra/notifications/webhookSender.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import type { NotificationOutbox } from '../../../ports/notifications.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import { CLOCKS, ClockDocId, clocksProjection, type ClockDoc } from '../../../projections/clocks/clocks.projection.js';
import { runningClocksDueBy } from '../../../projections/clocks/dueClocks.js';
import type { DueClock } from '../../../ports/notifications.js';
import { createProjectionRunner } from '../../../projections/runner.js';

const calendar = chineseDaysCalendar();
const deadlines = { calendar, policy: DEFAULT_DEADLINE_POLICY };
const meta = (source: string, time: string): EventMetadata => ({ source, eventId: null, principal: 'clerk', channel: 'http', time });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('notifier (real stores, a real webhook receiver)', function () {
  this.timeout(30_000);
  let now: Date;
  let store: SqliteEventStore;
  let readModels: ReadModelStore;
  let outbox: NotificationOutbox;
  let server: Server;
  let received: { id: string; type: string }[];
  let notifier: Notifier | undefined;
  /** the clock documents the notifier said became overdue (what live views are told) */
  let becameOverdue: string[];
  let stopRunner: () => Promise<void>;

  const start = async (): Promise<Notifier> => {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    notifier = createNotifier({
      events: store,
      outbox,
      sender: createWebhookSender([{ agencyId: 'xj-market', url, secretEnv: 'HOOK' }], { HOOK: 'secret' }),
      dueClocks: runningClocksDueBy(readModels),
      clock: { now: () => now },
      calendar,
      dueSoonWorkingDays: 3,
      agencyName: (id) => id,
      log: { info: () => undefined, error: () => undefined },
      followMs: 20,
      deliverMs: 20,
      clockScanMs: 60_000,
      onBecameOverdue: (ids) => becameOverdue.push(...ids),
    });
    await notifier.start();
    return notifier;
  };
  const until = async (ready: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 750 && !(await ready()); i++) await sleep(20); // up to 15 s: CI machines run three suites at load
  };

  beforeEach(async () => {
    now = new Date('2026-12-03T01:00:00Z'); // Thursday 09:00 in China
    store = openSqliteEventStore({ path: ':memory:', clock: { now: () => now } });
    readModels = openEmbeddedReadModelStore({ path: ':memory:' });
    outbox = openSqliteOutbox({ path: ':memory:' });
    received = [];
    becameOverdue = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body) as { id: string; type: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    // history before the notifier ever ran: a case and a handoff to the market bureau, received (its clock runs)
    await store.append([
      {
        streamId: 'case-N1',
        expectedRevision: 'no_stream',
        events: [
          { type: 'case.registered', data: { kind: 'criminal', title: '通知测试案', parties: [] }, metadata: meta('xj-proc', '2026-11-30T09:00:00+08:00') },
          { type: 'handoff.requested', data: { handoffId: 'h1', to: 'xj-market', purpose: 'information_notice' }, metadata: meta('xj-proc', '2026-12-01T09:00:00+08:00') },
          { type: 'handoff.received', data: { handoffId: 'h1' }, metadata: meta('xj-market', '2026-12-01T10:00:00+08:00') },
        ],
      },
    ]);
    const runner = createProjectionRunner({ store, readModels, projections: [clocksProjection], ctx: { deadlines }, logger: { info: () => undefined, error: () => undefined } });
    await runner.start();
    stopRunner = () => runner.stop();
  });
  afterEach(async () => {
    await notifier?.stop();
    notifier = undefined;
    await stopRunner();
    await outbox.close();
    await readModels.close();
    await store.close();
    await new Promise((r) => server.close(r));
  });

  const dueDateOfHandoff = async (): Promise<string> => {
    const doc = await readModels.get<ClockDoc>(CLOCKS, ClockDocId.handoff('N1', 'h1'));
    return doc!.clocks[0]!.dueDate!;
  };

  it('the first start tells no history; a fact stored afterwards is told to its agency and delivered', async () => {
    await start();
    expect((await outbox.list({ limit: 50 })).filter((n) => n.type === 'handoff_requested')).to.deep.equal([]);
    await store.append([
      { streamId: 'case-N1', expectedRevision: 'any', events: [{ type: 'handoff.requested', data: { handoffId: 'h2', to: 'xj-market', purpose: 'information_notice' }, metadata: meta('xj-proc', '2026-12-03T09:00:00+08:00') }] },
    ]);
    // the receiver holds the body before the sender has read the answer, so wait for the stored delivery too
    const deliveredNotices = async () => (await outbox.list({ state: 'delivered', limit: 50 })).filter((n) => n.type === 'handoff_requested');
    await until(async () => (await deliveredNotices()).length > 0);
    const told = received.filter((r) => r.type === 'handoff_requested');
    expect(told).to.have.length(1);
    const [stored] = await deliveredNotices();
    expect(stored).to.include({ id: told[0]!.id, agencyId: 'xj-market', attempts: 1 });
    expect(await outbox.checkpoint()).to.equal(await store.headPosition());
  });

  it('a running clock due within three working days: due_soon once however often it is scanned; once past, overdue once', async () => {
    const due = await dueDateOfHandoff();
    const today = '2026-12-03';
    // the test is about the window, so it checks the case is inside it rather than trusting a date by hand
    expect(due >= today && due <= lastDueWithinWorkingDays(today, 3, calendar), `due ${due}`).to.equal(true);
    await start();
    await notifier!.stop();
    await start(); // a second start scans again
    const dueSoon = (await outbox.list({ limit: 50 })).filter((n) => n.type === 'due_soon');
    expect(becameOverdue, 'due soon is not overdue').to.deep.equal([]);
    expect(dueSoon.map((n) => [n.agencyId, n.dueDate, n.clock])).to.deep.equal([['xj-market', due, 'N1:information_notice:h1']]);
    await notifier!.stop();

    now = new Date(Date.parse(`${due}T01:00:00Z`) + 86_400_000); // the day after the due date
    await start().then((n) => n.stop());
    await start(); // and once more (one notifier at a time, as in a process)
    const overdue = (await outbox.list({ limit: 50 })).filter((n) => n.type === 'overdue');
    expect(overdue).to.have.length(1);
    expect(overdue[0]).to.include({ agencyId: 'xj-market', dueDate: due, id: `N1:information_notice:h1:overdue:${due}` });
    // the live views are told once which document holds the clock that became overdue, however often it is scanned
    expect(becameOverdue).to.deep.equal([ClockDocId.handoff('N1', 'h1')]);
    await until(async () => received.some((r) => r.type === 'overdue'));
    expect(received.filter((r) => r.type === 'overdue').map((r) => r.id)).to.deep.equal([overdue[0]!.id]);
  });

  it('a long clock scan takes turns with the event loop, and records every notice', async () => {
    // 350 running clocks due yesterday, given as fast as the port can: what the scan does between them is the notifier's
    const dueClocks = async function* (): AsyncIterable<DueClock> {
      for (let i = 0; i < 350; i++) {
        yield { id: `L${i}:handoff`, kind: 'HANDOFF', name: `information_notice:h${i}`, caseId: `L${i}`, owner: 'xj-market', dueDate: '2026-12-02', dueDateProvisional: false, running: true, visibleTo: ['xj-market'], documentId: `L${i}` };
      }
    };
    let scanned = 0;
    let turnedAt: number | null = null;
    notifier = createNotifier({
      events: store,
      outbox,
      sender: createWebhookSender([], {}),
      dueClocks: async function* () {
        // runs at the loop's next turn (before the scan's own, queued later), which must come while the scan is still
        // under way; not a 0 ms timer, which a turn taken within the same millisecond would not yet run
        setImmediate(() => (turnedAt = scanned));
        for await (const clock of dueClocks()) {
          scanned++;
          yield clock;
        }
      },
      clock: { now: () => now },
      calendar,
      dueSoonWorkingDays: 3,
      agencyName: (id) => id,
      log: { info: () => undefined, error: () => undefined },
      clockScanMs: 60_000,
    });
    await notifier.start();
    expect(turnedAt, 'the timer ran before the scan ended').to.be.a('number').and.below(350);
    const overdue = (await outbox.list({ limit: 1000 })).filter((n) => n.type === 'overdue' && n.caseId?.startsWith('L'));
    expect(overdue).to.have.length(350);
  });
});
