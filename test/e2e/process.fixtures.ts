/**
 * A data directory with a large event store, for the process-behaviour e2e tests (replay long enough to
 * interrupt). The live read models hold no documents but claim the head as their checkpoint, so `replay`
 * rebuilds every event (and then reports the difference) — building real live read models would cost
 * the test as long again.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fixedClock } from '../../infra/clock.js';
import type { AppendRequest, EventMetadata } from '../../ports/eventStore.js';
import { openSqliteEventStore } from '../../infra/eventStore/sqliteEventStore.js';
import { openEmbeddedReadModelStore } from '../../infra/readModels/embeddedReadModelStore.js';
import { allProjections } from '../../projections/index.js';

const DAY = 86_400_000;

/**
 * One civil dispute a court registers and hands to the justice bureau for mediation (5 events): case `P<index>`
 * of agencies `xj-court` and `xj-justice` (`id` and `city` change them). The mediation completes, or with
 * `varied` every fourth case is withdrawn instead and every third of the others fails.
 */
export function caseEvents(index: number, options: { id?: string; city?: string; varied?: boolean } = {}): AppendRequest {
  const day = new Date(Date.UTC(2024, 0, 2) + (index % 300) * DAY).toISOString().slice(0, 10);
  const time = (hh: number) => `${day}T${String(hh).padStart(2, '0')}:00:00+08:00`;
  const id = `${options.id ?? 'P'}${index}`;
  const court = `${options.city ?? 'xj'}-court`;
  const justice = `${options.city ?? 'xj'}-justice`;
  const withdrawn = options.varied === true && index % 4 === 0;
  const failed = options.varied === true && index % 3 === 0;
  const metadata = (source: string, hh: number, step: number): EventMetadata => ({
    source,
    eventId: `e-${index * 5 + step}`,
    principal: `${source}-system`,
    channel: 'http',
    time: time(hh),
    subject: id,
  });
  return {
    streamId: `case-${id}`,
    expectedRevision: 'no_stream',
    events: [
      {
        type: 'case.registered',
        data: { kind: 'civil_dispute', title: `买卖合同纠纷 ${index}`, parties: [{ name: '某商贸有限公司', role: 'plaintiff', type: 'private_enterprise' }, { name: `张${index}`, role: 'defendant', type: 'person' }] },
        metadata: metadata(court, 9, 0),
      },
      { type: 'handoff.requested', data: { handoffId: `${id}-h1`, to: justice, purpose: 'entrusted_mediation', note: '诉前委派调解' }, metadata: metadata(court, 10, 1) },
      { type: 'handoff.received', data: { handoffId: `${id}-h1` }, metadata: metadata(justice, 11, 2) },
      { type: 'handoff.accepted', data: { handoffId: `${id}-h1` }, metadata: metadata(justice, 12, 3) },
      withdrawn
        ? { type: 'case.closed', data: { outcome: 'withdrawn', note: '原告撤诉' }, metadata: metadata(court, 17, 4) }
        : { type: 'handoff.completed', data: { handoffId: `${id}-h1`, outcome: failed ? 'failed' : 'mediated' }, metadata: metadata(justice, 16, 4) },
    ],
  };
}

/** `cases` × 5 events in `<dataDir>/liandong.db`; `readmodels.db` with every projection's checkpoint at the head */
export async function buildLargeDataDir(dataDir: string, cases: number): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const clock = fixedClock('2024-12-31T02:00:00.000Z');
  const store = openSqliteEventStore({ path: join(dataDir, 'liandong.db'), clock });
  try {
    for (let from = 0; from < cases; from += 1000) {
      await store.append(Array.from({ length: Math.min(1000, cases - from) }, (_, offset) => caseEvents(from + offset)));
      clock.advance(1000);
    }
  } finally {
    await store.close();
  }
  const readModels = openEmbeddedReadModelStore({ path: join(dataDir, 'readmodels.db') });
  await readModels.close();
  const db = new Database(join(dataDir, 'readmodels.db'));
  try {
    const set = db.prepare('INSERT INTO read_model_checkpoints (projection, position) VALUES (?, ?)');
    for (const projection of allProjections()) set.run(projection.name, cases * 5);
  } finally {
    db.close();
  }
}
