import { caseDecider, meetingDecider } from '../../domain/catalog/index.js';
import type { Decider } from '../../domain/shared/decider.js';
import type { DomainEvent } from '../../domain/shared/events.js';
import type { CommandPort, CommandRequest } from '../../gateway/context.js';
import { ExpectedRevisionConflict, type EventStore } from '../../ports/eventStore.js';
import { toDomainEvent } from '../ingest/streamState.js';

const MAX_ATTEMPTS = 8;

/**
 * Runs one command against its stream for GraphQL mutations (and the demo loader): load → decide →
 * append with the expected revision; a concurrent writer makes it decide again. Resolves once the read
 * models have applied the new events, so the answer and any query after it see the change.
 */
export function createCommandService(deps: { store: EventStore; waitForProjections(position: bigint): Promise<void> }): CommandPort {
  return {
    async execute(request: CommandRequest) {
      const decider = (request.kind === 'case' ? caseDecider : meetingDecider) as unknown as Decider<unknown, DomainEvent, unknown>;
      const subject = request.streamId.slice(request.streamId.indexOf('-') + 1);
      for (let attempt = 1; ; attempt++) {
        const stored = await deps.store.readStream(request.streamId);
        let state = decider.initialState();
        for (const e of stored) state = decider.evolve(state, toDomainEvent(e));
        const produced = decider.decide(request.command, state); // a DomainError goes back to the caller
        for (const event of produced) state = decider.evolve(state, { ...event, subject } as DomainEvent);
        try {
          const [result] = await deps.store.append([
            {
              streamId: request.streamId,
              expectedRevision: stored.length === 0 ? 'no_stream' : stored.length - 1,
              events: produced.map((event) => ({
                type: event.type,
                data: event.data as Record<string, unknown>,
                metadata: { source: event.source ?? request.source, eventId: null, principal: request.principal, channel: 'graphql', time: event.time, subject },
              })),
            },
          ]);
          const last = result?.positions[result.positions.length - 1];
          if (last !== undefined) await deps.waitForProjections(last);
          return { state };
        } catch (e) {
          if (e instanceof ExpectedRevisionConflict && attempt < MAX_ATTEMPTS) continue;
          throw e;
        }
      }
    },
  };
}
