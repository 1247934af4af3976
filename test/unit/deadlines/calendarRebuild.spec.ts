import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_DEADLINE_POLICY, type OfficialYear } from '../../../domain/deadlines/index.js';
import { chineseDaysCalendar } from '../../../infra/calendar/chineseDays.js';
import { deadlineContextVersion } from '../../../infra/calendar/fingerprint.js';
import { openSqliteEventStore, type SqliteEventStore } from '../../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../../infra/readModels/embeddedReadModelStore.js';
import type { EventMetadata } from '../../../ports/eventStore.js';
import { boardDocId, HANDOFF_BOARD, handoffBoardProjection, type HandoffBoardDoc } from '../../../projections/handoffBoard/handoffBoard.projection.js';
import { contextVersionCheckpoint, contextVersionPosition, createProjectionRunner } from '../../../projections/runner.js';
import type { Projection } from '../../../projections/projection.js';
import type { ReadModelContext } from '../../../projections/index.js';

/** the board's evolve, marking every document it writes: a stand-in for "the same events now give other documents" */
const markEvolve =
  (evolve: Projection<ReadModelContext>['evolve']): Projection<ReadModelContext>['evolve'] =>
  (doc, event, ctx, collection) => {
    const evolved = evolve(doc, event, ctx, collection);
    return evolved.doc === null || evolved.doc === doc ? evolved : { ...evolved, doc: { ...(evolved.doc as object), revised: true } };
  };

// deadlines.md rule 7: when an operator adds a year's official calendar, every due date in it is recomputed at the
// next start and loses its provisional mark — no event needed. Stored due dates live in the read models, so the
// runner rebuilds a projection whose calendar (context version) changed.

/** a fictitious official 2028 notice: 国庆 10-01 (Sunday) to 10-06 off, nothing else */
const NOTICE_2028: OfficialYear = { year: 2028, holidays: ['2028-10-02', '2028-10-03', '2028-10-04', '2028-10-05', '2028-10-06'], workdays: [] };

const deadlinesWith = (years: OfficialYear[]) => ({ calendar: chineseDaysCalendar(years), policy: DEFAULT_DEADLINE_POLICY });

describe('a calendar added in configuration recomputes stored due dates at the next start (rule 7)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const readModelsPath = (): string => join(dir, 'readmodels.db');

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'liandong-calendar-rebuild-'));
    store = openSqliteEventStore({ path: join(dir, 'events.db'), clock: { now: () => new Date('2028-09-02T00:00:00Z') } });
    const meta = (time: string): EventMetadata => ({ source: 'ly-court', eventId: null, principal: 'clerk', channel: 'http', time });
    await store.append([
      {
        streamId: 'case-TJ-1',
        expectedRevision: 'any',
        events: [
          { type: 'case.registered', data: { kind: 'civil', title: '委托调解案', parties: [] }, metadata: meta('2028-08-30T09:00:00+08:00') },
          { type: 'handoff.requested', data: { handoffId: 'TJ-1-h1', to: 'ly-justice', purpose: 'entrusted_mediation' }, metadata: meta('2028-08-31T09:00:00+08:00') },
          { type: 'handoff.received', data: { handoffId: 'TJ-1-h1' }, metadata: { ...meta('2028-09-01T09:00:00+08:00'), source: 'ly-justice' } },
        ],
      },
    ]);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** starts the platform's projection runner on the same read-model file, as a restart would, and reads the board */
  async function startAndRead(
    years: OfficialYear[],
    { checkVersion = true, projection = handoffBoardProjection as Projection<ReadModelContext> } = {},
  ): Promise<{ deadline: HandoffBoardDoc['deadline']; rebuilt: boolean; told: string[][]; because: string[] }> {
    const deadlines = deadlinesWith(years);
    const readModels = openEmbeddedReadModelStore({ path: readModelsPath() });
    const said: string[] = [];
    const told: string[][] = [];
    const because: string[] = [];
    const runner = createProjectionRunner({
      store,
      readModels,
      projections: [projection],
      ctx: { deadlines },
      ...(checkVersion ? { contextVersion: deadlineContextVersion(deadlines) } : {}),
      onContextRebuild: (rebuilt) => (told.push(rebuilt.map((p) => p.name)), because.push(...rebuilt.map((p) => p.because))),
      logger: { info: (message) => said.push(message), error: (message) => said.push(message) },
    });
    try {
      await runner.start();
      const doc = await readModels.get<HandoffBoardDoc>(HANDOFF_BOARD, boardDocId('TJ-1', 'TJ-1-h1'));
      return { deadline: doc?.deadline ?? null, rebuilt: said.some((m) => m.includes('rebuilding')), told, because };
    } finally {
      await runner.stop();
      await readModels.close();
    }
  }

  it('a 30-day clock received 2028-09-01: provisional 10-04 without a 2028 notice, 10-09 and official once it is added', async () => {
    const before = await startAndRead([]);
    // 30 days → 2028-10-01 (Sunday, 国庆); 10-02, 10-03 statutory → Wednesday 10-04
    expect(before.deadline).to.include({ dueDate: '2028-10-04', provisional: true });

    const again = await startAndRead([]);
    expect(again.rebuilt, 'the same calendar rebuilds nothing').to.equal(false);
    // the first build is no rebuild: the operator is told only when documents are computed again
    expect(before.told).to.deep.equal([]);
    expect(again.told).to.deep.equal([]);
    expect(again.deadline).to.deep.equal(before.deadline);

    const after = await startAndRead([NOTICE_2028]);
    expect(after.rebuilt).to.equal(true);
    expect(after.told).to.deep.equal([[handoffBoardProjection.name]]);
    expect(after.deadline).to.include({ dueDate: '2028-10-09', provisional: false });
  });

  it('without the version check the stored due date would stay stale (what the check is for)', async () => {
    await startAndRead([]);
    const stale = await startAndRead([NOTICE_2028], { checkVersion: false });
    expect(stale.deadline).to.include({ dueDate: '2028-10-04', provisional: true });
  });

  it('a raised Projection.revision rebuilds at the next start, once; a store built before revisions counts as revision 1', async () => {
    // the board as it was before it had a revision (it is at revision 2 since stop 39)
    const { revision: _current, ...unrevised } = handoffBoardProjection;
    const first = await startAndRead([], { projection: unrevised });
    expect(first.told).to.deep.equal([]);
    // revision 1 stated explicitly is what a store without a revision marker was built by: nothing to do
    const same = await startAndRead([], { projection: { ...handoffBoardProjection, revision: 1 } });
    expect(same.rebuilt).to.equal(false);
    // an evolve that now writes something else: the next start rebuilds, and says why
    const changed = { ...handoffBoardProjection, revision: 2, evolve: markEvolve(handoffBoardProjection.evolve) };
    const raised = await startAndRead([], { projection: changed });
    expect(raised.rebuilt).to.equal(true);
    expect(raised.told).to.deep.equal([[handoffBoardProjection.name]]);
    expect(raised.because).to.deep.equal(['revision']);
    const readModels = openEmbeddedReadModelStore({ path: readModelsPath() });
    try {
      const doc = await readModels.get<HandoffBoardDoc & { revised?: boolean }>(HANDOFF_BOARD, boardDocId('TJ-1', 'TJ-1-h1'));
      expect(doc?.revised, 'the stored document is the new evolve\'s').to.equal(true);
    } finally {
      await readModels.close();
    }
    const again = await startAndRead([], { projection: changed });
    expect(again.rebuilt, 'the same revision rebuilds nothing').to.equal(false);
  });

  it('keeps the version beside the checkpoint, and a reset drops it with the projection', async () => {
    await startAndRead([]);
    const readModels = openEmbeddedReadModelStore({ path: readModelsPath() });
    try {
      const marker = contextVersionCheckpoint(handoffBoardProjection.name);
      expect(await readModels.checkpoint(marker)).to.equal(contextVersionPosition(deadlineContextVersion(deadlinesWith([]))));
      await readModels.reset([handoffBoardProjection.name, marker], handoffBoardProjection.collections);
      expect(await readModels.checkpoint(marker)).to.equal(null);
    } finally {
      await readModels.close();
    }
  });

  describe('deadlineContextVersion', () => {
    it('changes with a year that changes an answer, or the policy; not with one repeating what the calendar says', () => {
      const base = deadlineContextVersion(deadlinesWith([]));
      expect(deadlineContextVersion(deadlinesWith([]))).to.equal(base);
      expect(deadlineContextVersion(deadlinesWith([NOTICE_2028]))).to.not.equal(base);
      expect(deadlineContextVersion({ ...deadlinesWith([]), policy: { ...DEFAULT_DEADLINE_POLICY, noticeAckWorkingDays: 7 } })).to.not.equal(base);
      // an official year is also a different answer to hasOfficialYear, even with the statutory days alone
      const statutoryOnly2028: OfficialYear = { year: 2028, holidays: [], workdays: [] };
      expect(deadlineContextVersion(deadlinesWith([statutoryOnly2028]))).to.not.equal(base);
    });
  });
});
