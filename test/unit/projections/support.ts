import { currentVersion, dataschemaOf, evolveCase, isCatalogType, type CaseState, type ExistingCase } from '../../../domain/catalog/index.js';
import type { EventStore, RecordedEvent } from '../../../ports/eventStore.js';
import type { ReadModelStore } from '../../../ports/readModelStore.js';
import type { Projection } from '../../../projections/projection.js';
import { loadDemo } from '../../../infra/demo/loader.js';
import { demoScenario } from '../../../infra/demo/scenario.js';
import { memoryPlatform } from '../demo/memoryPlatform.js';

/** A time on a China-time day, e.g. at('2024-09-13') = 2024-09-13T09:00:00+08:00. */
export const at = (day: string, hm = '09:00'): string => `${day}T${hm}:00+08:00`;

/**
 * Builds stored events the way the event store hands them back: global positions in append order,
 * revisions per stream, envelope time and publisher in the metadata.
 */
export function eventLog() {
  let position = 0n;
  const revisions = new Map<string, number>();
  const lastHash = new Map<string, string>();
  return function recorded(streamId: string, source: string | null, type: string, data: Record<string, unknown>, time: string): RecordedEvent {
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    position += 1n;
    // projections ignore the hash chain; a stand-in keeps the shape of a stored event
    const hash = `hash-${position}`;
    const prevHash = lastHash.get(streamId) ?? null;
    lastHash.set(streamId, hash);
    return {
      hash,
      prevHash,
      streamId,
      revision,
      position,
      type,
      data,
      metadata: {
        source,
        eventId: source === null ? null : `evt-${position}`,
        principal: source === null ? null : `${source}-system`,
        channel: source === null ? 'platform' : 'http',
        time,
        subject: streamId.slice(streamId.indexOf('-') + 1),
        // stored as the ingest stores a published fact today (revision 2): with its version, so nothing is upcast
        ...(source === null ? {} : { dataschema: dataschemaOf(type, isCatalogType(type) ? currentVersion(type) : 1) }),
      },
      recordedAt: new Date(Date.parse(time) + 1000).toISOString(),
      idempotencyKey: source === null ? null : `${source}/evt-${position}`,
    } as RecordedEvent;
  };
}

/**
 * The runner specs' counting projection: what a correct one holds (handled events per stream; `case.noted` is
 * not handled), and what a store holds for it.
 */
export async function expectedCounts(store: Pick<EventStore, 'readAll'>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const recorded of await store.readAll()) {
    if (recorded.type === 'case.noted') continue;
    counts.set(recorded.streamId, (counts.get(recorded.streamId) ?? 0) + 1);
  }
  return counts;
}

export async function countsIn(readModels: ReadModelStore, collection = 'streamCounts'): Promise<Map<string, number>> {
  const ids = await readModels.listIds(collection);
  const docs = await readModels.getMany<{ count: number }>(collection, ids);
  return new Map(ids.map((id, index) => [id, docs[index]!.count]));
}

/**
 * Every event of the demo city (as of 2026-05-20), as the event store would hand them back: the events of its case
 * streams only, or (`casesOnly: false`) of every stream. Projection specs fold them to compare a read model with the case fold.
 */
export async function demoCityEvents({ casesOnly = true } = {}): Promise<RecordedEvent[]> {
  const now = new Date('2026-05-20T02:00:00Z');
  const platform = memoryPlatform(now);
  await loadDemo(demoScenario(now), platform);
  const log = eventLog();
  const events: RecordedEvent[] = [];
  for (const [streamId, stream] of platform.streams) {
    if (casesOnly && stream.kind !== 'case') continue;
    for (const event of stream.events) events.push(log(streamId, event.source, event.type, event.data as Record<string, unknown>, event.time));
  }
  return events;
}

/** One recorded event folded into whole case states by case id (the domain's evolveCase); its case's id, or null for another stream. */
export function foldCaseEvent(states: Map<string, CaseState>, e: RecordedEvent): string | null {
  if (!e.streamId.startsWith('case-')) return null;
  const id = e.streamId.slice('case-'.length);
  states.set(id, evolveCase(states.get(id) ?? { status: 'none' }, { type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source, subject: id }));
  return id;
}

/** The domain's whole fold (evolveCase) of every case among these events, by case id: what read models are checked against. */
export function foldedCases(events: readonly RecordedEvent[]): Map<string, ExistingCase> {
  const states = new Map<string, CaseState>();
  for (const e of events) foldCaseEvent(states, e);
  const cases = new Map<string, ExistingCase>();
  for (const [id, state] of states) if (state.status !== 'none') cases.set(id, state);
  return cases;
}

/**
 * A projection's pieces timed on a clock of the test's own (ProjectionRunnerDeps.now), whatever the machine's speed:
 * every event of a slice "takes" `msPerEvent(position)` when the runner asks which documents it touches — the types in
 * `ignored` too (handled, changing nothing), so that a piece of n events takes n times as long. The runner reads the
 * clock at the start and at the end of each piece: the events asked about between two readings are a piece.
 */
export function timedPieces<Ctx>(projection: Projection<Ctx>, ignored: readonly string[], msPerEvent: (position: bigint) => number) {
  // in microseconds, whole: 250 events at 0.1 ms summed as floats come to a little over 25 ms
  const clock = { us: 0 };
  let asked = 0;
  const readings: number[] = [];
  const timed: Projection<Ctx> = {
    ...projection,
    canHandle: [...projection.canHandle, ...ignored],
    keys(event, ctx) {
      clock.us += Math.round(msPerEvent(event.position) * 1000);
      asked += 1;
      return projection.keys(event, ctx);
    },
    evolve: (doc, event, ctx, collection) => (ignored.includes(event.type) ? { doc } : projection.evolve(doc, event, ctx, collection)),
  };
  const now = (): number => {
    readings.push(asked);
    return clock.us / 1000;
  };
  /** events per piece, in order */
  const pieces = (): number[] => readings.flatMap((asked, i) => (i % 2 === 1 ? [asked - readings[i - 1]!] : []));
  return { projection: timed, now, pieces };
}
