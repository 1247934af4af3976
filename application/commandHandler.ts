/**
 * Command handling shared by every entry point (style.md "Layout"): load the stream → decide → append with the
 * expected revision → on a conflict, decide again. GraphQL mutations and the demo city run one command at a time
 * through `createCommandHandler`; the HTTP/Kafka ingest pipeline (infra/ingest/pipeline.ts) decides whole
 * batches over many streams in one append, and does so with the same pieces: `loadStream`, `decideOn`,
 * `expectedRevisionOf` and `retryOnConflict`.
 */
import { caseDecider, meetingDecider } from '../domain/catalog/index.js';
import { statsDecider } from '../domain/stats/index.js';
import type { Decider } from '../domain/shared/decider.js';
import type { DomainEvent } from '../domain/shared/events.js';
import { currentShape } from '../ports/currentShape.js';
import { ExpectedRevisionConflict, type EventStore, type ExpectedRevision, type RecordedEvent } from '../ports/eventStore.js';

/** how many times a command (or an ingest batch) is decided before a run of conflicts is given up */
export const MAX_ATTEMPTS = 8;

export type StreamKind = 'case' | 'meeting' | 'stats';
export type AnyDecider = Decider<unknown, DomainEvent, unknown>;

export const deciderOf = (kind: StreamKind): AnyDecider => (kind === 'case' ? caseDecider : kind === 'meeting' ? meetingDecider : statsDecider) as unknown as AnyDecider;

/** the stream's own id (case or meeting id, or a statistics stream's agency) from `case-XJ-1` / `meeting-m-1` / `stats-ly-court`: published data does not repeat it */
export const subjectOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

/**
 * The domain's view of a stored event: the fact in the current shape of its type (upcast from the version it was
 * stored under, ports/currentShape.ts), with envelope time and publisher from the metadata.
 */
export const toDomainEvent = (stored: RecordedEvent): DomainEvent & { subject: string } => {
  const e = currentShape(stored);
  return { type: e.type, data: e.data, time: e.metadata.time, source: e.metadata.source, subject: subjectOf(e.streamId) };
};

/** a stream's decided state as of `revision` (-1: the stream does not exist) */
export interface LoadedStream {
  decider: AnyDecider;
  state: unknown;
  revision: number;
}

/**
 * Reads a stream and folds it. From `from` (a state already decided as of its revision), only the events stored
 * after that revision are read and folded.
 */
export async function loadStream(store: EventStore, streamId: string, kind: StreamKind, from?: { state: unknown; revision: number }): Promise<LoadedStream> {
  const decider = deciderOf(kind);
  const stored = await store.readStream(streamId, from ? { fromRevision: from.revision + 1 } : {});
  let state = from ? from.state : decider.initialState();
  for (const e of stored) state = decider.evolve(state, toDomainEvent(e));
  return { decider, state, revision: stored.at(-1)?.revision ?? from?.revision ?? -1 };
}

/** Decides `command` on the loaded stream and moves its state past the events produced (a DomainError is thrown). */
export function decideOn(stream: { decider: AnyDecider; state: unknown }, streamId: string, command: unknown): DomainEvent[] {
  const produced = stream.decider.decide(command, stream.state);
  const subject = subjectOf(streamId);
  for (const event of produced) stream.state = stream.decider.evolve(stream.state, { ...event, subject } as DomainEvent);
  return produced;
}

export const expectedRevisionOf = (revision: number): ExpectedRevision => (revision < 0 ? 'no_stream' : revision);

/**
 * Runs `attempt` again while it fails with a conflict (another writer got to one of its streams first), up to
 * MAX_ATTEMPTS times; any other error, or the last conflict, goes to the caller.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, isConflict: (error: unknown) => boolean = (e) => e instanceof ExpectedRevisionConflict): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (isConflict(e) && n < MAX_ATTEMPTS) continue;
      throw e;
    }
  }
}

/** A command for one stream, run by the platform on behalf of a principal (organizer mutations, the demo city). */
export interface CommandRequest {
  streamId: string;
  kind: StreamKind;
  command: unknown;
  source: string;
  principal: string;
  /** when it happened; also the decider's `now` */
  time: string;
}

/** Runs a command: decide → append with expected revision (retrying on conflicts) → read models caught up. */
export interface CommandHandler {
  execute(request: CommandRequest): Promise<{ state: unknown }>;
}

/**
 * The command handler of GraphQL mutations and the demo city. Resolves once `waitForProjections` says the read
 * models have applied the new events, so the answer and any query after it see the change.
 */
export function createCommandHandler(deps: { store: EventStore; waitForProjections?(position: bigint): Promise<void> }): CommandHandler {
  return {
    execute: (request) =>
      retryOnConflict(async () => {
        const stream = await loadStream(deps.store, request.streamId, request.kind);
        const produced = decideOn(stream, request.streamId, request.command); // a DomainError goes back to the caller
        const [result] = await deps.store.append([
          {
            streamId: request.streamId,
            expectedRevision: expectedRevisionOf(stream.revision),
            events: produced.map((event) => ({
              type: event.type,
              data: event.data as Record<string, unknown>,
              metadata: { source: event.source ?? request.source, eventId: null, principal: request.principal, channel: 'graphql', time: event.time, subject: subjectOf(request.streamId) },
            })),
          },
        ]);
        const last = result?.positions[result.positions.length - 1];
        if (last !== undefined) await deps.waitForProjections?.(last);
        return { state: stream.state };
      }),
  };
}
