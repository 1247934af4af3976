/**
 * A platform in memory for testing the demo: the ingest pipeline's checks in its order (envelope, source,
 * dedupe, type, publisher kind, future time, data schema via ajv, then route → decide → evolve) and the
 * organizer mutations as the meeting decider sees them. Meeting ids are deliberately unlike the scenario's
 * ref names, so a placeholder the loader failed to substitute cannot pass by accident.
 */
import { readFileSync } from 'node:fs';
import {
  CATALOG,
  caseDecider,
  caseIdOfNotice,
  meetingDecider,
  meetingIdOfActionId,
  routeOf,
  toCommand,
  type CaseCommand,
  type MeetingCommand,
  type PublishedFact,
} from '../../../domain/catalog/index.js';
import type { Agency, AgencyDirectory } from '../../../domain/shared/agencies.js';
import type { Decider } from '../../../domain/shared/decider.js';
import { statsDecider } from '../../../domain/stats/index.js';
import { DomainError } from '../../../domain/shared/errors.js';
import { caseStream, meetingStream, type DomainEvent } from '../../../domain/shared/events.js';
import { createValidator } from '../../../infra/ingest/validator.js';
import type { DemoLoadDeps } from '../../../infra/demo/loader.js';
import type { CloudEvent, MutationName } from '../../../infra/demo/scenario.js';

const config = JSON.parse(readFileSync(new URL('../../../infra/config/demo.config.json', import.meta.url), 'utf8')) as {
  agencies: Agency[];
  copyNoticeRecipients: string[];
};
export const demoAgencies: AgencyDirectory = new Map(config.agencies.map((a) => [a.id, a]));

export interface Outcome {
  readonly event: CloudEvent;
  readonly status: 'accepted' | 'duplicate' | 'rejected';
  readonly code?: string;
  readonly message?: string;
}

interface Stream {
  readonly kind: 'case' | 'meeting' | 'stats';
  state: unknown;
  readonly events: DomainEvent[];
}

export function memoryPlatform(now: Date) {
  const validator = createValidator();
  const streams = new Map<string, Stream>();
  const seen = new Set<string>();
  const outcomes: Outcome[] = [];
  const ctx = { agencies: demoAgencies, copyNoticeRecipients: config.copyNoticeRecipients, now: now.toISOString(), principal: 'demo-loader' };
  let meetings = 0;

  const deciderOf = (kind: 'case' | 'meeting' | 'stats') =>
    (kind === 'case' ? caseDecider : kind === 'meeting' ? meetingDecider : statsDecider) as unknown as Decider<unknown, DomainEvent, unknown>;

  const apply = (streamId: string, kind: 'case' | 'meeting' | 'stats', command: unknown): DomainEvent[] => {
    const decider = deciderOf(kind);
    const stream = streams.get(streamId) ?? { kind, state: decider.initialState(), events: [] };
    const produced = decider.decide(command, stream.state);
    // as the pipeline does: the stream's own id is the subject (published data does not repeat it)
    const subject = streamId.slice(streamId.indexOf('-') + 1);
    for (const event of produced) {
      stream.state = decider.evolve(stream.state, { ...event, subject } as DomainEvent);
      stream.events.push(event);
    }
    streams.set(streamId, stream);
    return produced;
  };

  const check = (event: CloudEvent, publisher: Agency): { code: string; message: string } | null => {
    const envelope = validator.envelope(event);
    if (!envelope.ok) return { code: 'invalid_envelope', message: envelope.message };
    if (event.source !== publisher.id) return { code: 'unauthorized', message: `source ${event.source} is not ${publisher.id}` };
    const entry = CATALOG.get(event.type);
    if (!entry) return { code: 'unknown_type', message: event.type };
    if (!entry.by.includes(publisher.kind)) return { code: 'unauthorized', message: `${publisher.kind} may not publish ${event.type}` };
    if (Date.parse(event.time) - now.getTime() > 5 * 60_000) return { code: 'future_time', message: event.time };
    const data = validator.data(event.type, event.data);
    if (data && !data.ok) return { code: 'invalid_data', message: data.message };
    return null;
  };

  const publish: DemoLoadDeps['publish'] = async (agencyId, events) =>
    events.map((event) => {
      const publisher = demoAgencies.get(agencyId);
      if (!publisher) throw new Error(`no such demo agency ${agencyId}`);
      const record = (o: Omit<Outcome, 'event'>) => {
        outcomes.push({ event, ...o });
        return o;
      };
      const key = `${event.source}/${event.id}`;
      if (seen.has(key)) return record({ status: 'duplicate' });
      const problem = check(event, publisher);
      if (problem) return record({ status: 'rejected', ...problem });
      try {
        const fact: PublishedFact = { id: event.id, source: publisher, type: event.type, subject: event.subject, time: event.time, data: event.data };
        const route = routeOf(fact);
        apply(route.streamId, route.kind, toCommand(fact, ctx));
        seen.add(key);
        return record({ status: 'accepted' });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return record({ status: 'rejected', code: e.code, message: e.message });
      }
    });

  const mutate = async (name: MutationName, asAgency: string, at: string, args: Record<string, unknown>): Promise<{ id: string }> => {
    const by = demoAgencies.get(asAgency);
    if (!by) throw new Error(`no such demo agency ${asAgency}`);
    const input = (args.input ?? {}) as Record<string, unknown>;
    type WithoutId<C> = C extends unknown ? Omit<C, 'meetingId'> : never;
    const meeting = (id: unknown, command: WithoutId<MeetingCommand>): { id: string } => {
      apply(meetingStream(String(id)), 'meeting', { ...command, meetingId: id });
      return { id: String(id) };
    };
    switch (name) {
      case 'scheduleMeeting':
        return meeting(`mtg-${String(++meetings).padStart(3, '0')}`, {
          type: 'ScheduleMeeting',
          title: input.title as string,
          scheduledAt: input.scheduledAt as string,
          participants: input.participants as string[],
          organizer: by,
          agencies: demoAgencies,
          now: at,
        });
      case 'nominateCase':
        // the resolver's check: the case exists
        if (!streams.has(caseStream(String(args.caseId)))) throw new DomainError('invalid_transition', `no case ${String(args.caseId)}`);
        return meeting(args.meetingId, { type: 'NominateCase', caseId: args.caseId as string, reason: args.reason as string, organizer: by, now: at });
      case 'recordMeetingHeld':
        return meeting(args.meetingId, { type: 'RecordMeetingHeld', attendees: args.attendees as string[], organizer: by, agencies: demoAgencies, now: at });
      case 'recordResolution':
        return meeting(args.meetingId, { type: 'RecordResolution', caseId: args.caseId as string, text: args.text as string, organizer: by, now: at });
      case 'cancelMeeting':
        return meeting(args.id, { type: 'CancelMeeting', reason: args.reason as string, organizer: by, now: at });
      case 'assignActionItem': {
        const [assigned] = apply(meetingStream(String(input.meetingId)), 'meeting', {
          type: 'AssignActionItem',
          meetingId: input.meetingId,
          caseId: (input.caseId as string | undefined) ?? null,
          text: input.text,
          owner: input.owner,
          dueDate: input.dueDate,
          organizer: by,
          agencies: demoAgencies,
          now: at,
        });
        return { id: (assigned!.data as { actionId: string }).actionId };
      }
      case 'completeActionItem': {
        const meetingId = meetingIdOfActionId(args.id);
        apply(meetingStream(meetingId), 'meeting', { type: 'CompleteActionItem', meetingId, actionId: args.id, by, note: args.note, time: at });
        return { id: String(args.id) };
      }
      case 'acknowledgeNotice': {
        const caseId = caseIdOfNotice(String(args.id));
        if (!caseId) throw new DomainError('invalid_transition', `not a notice id ${String(args.id)}`);
        const command: CaseCommand = { type: 'AcknowledgeNotice', caseId, by, time: at, data: { noticeId: String(args.id) }, context: ctx };
        apply(caseStream(caseId), 'case', command);
        return { id: String(args.id) };
      }
    }
  };

  return { publish, mutate, outcomes, streams };
}
export type MemoryPlatform = ReturnType<typeof memoryPlatform>;
