/**
 * The commands people run (graphql.md mutations), as requests for the command handler: built here once, so the
 * GraphQL resolvers (gateway/resolvers/) and the demo city (infra/demo/wire.ts) send the same commands. Who may
 * run them, and whether the case or action item exists, the resolvers check before they get here.
 */
import type { Agency, AgencyDirectory } from '../domain/shared/agencies.js';
import { caseStream, meetingStream } from '../domain/shared/events.js';
import type { CommandRequest } from './commandHandler.js';

/** who runs a command: a configured principal acting for its agency */
export interface Actor {
  agency: Agency;
  principal: string;
}

/** an organizer's command on a meeting (schedule, nominate, held, resolution, action item, cancel) */
export function organizerRequest(actor: Actor, agencies: AgencyDirectory, now: string, meetingId: string, command: Record<string, unknown>): CommandRequest {
  return {
    streamId: meetingStream(meetingId),
    kind: 'meeting',
    command: { meetingId, organizer: actor.agency, agencies, now, ...command },
    source: actor.agency.id,
    principal: actor.principal,
    time: now,
  };
}

/** the owner agency marks its action item done */
export function completeActionItemRequest(actor: Actor, now: string, meetingId: string, actionId: string, note: string | null): CommandRequest {
  return {
    streamId: meetingStream(meetingId),
    kind: 'meeting',
    command: { type: 'CompleteActionItem', meetingId, actionId, by: actor.agency, note, time: now },
    source: actor.agency.id,
    principal: actor.principal,
    time: now,
  };
}

/** a recipient acknowledges a copy notice (抄告) */
export function acknowledgeNoticeRequest(actor: Actor, agencies: AgencyDirectory, now: string, caseId: string, noticeId: string): CommandRequest {
  return {
    streamId: caseStream(caseId),
    kind: 'case',
    command: { type: 'AcknowledgeNotice', caseId, by: actor.agency, time: now, data: { noticeId }, context: { agencies, copyNoticeRecipients: [], now, principal: actor.principal } },
    source: actor.agency.id,
    principal: actor.principal,
    time: now,
  };
}
