import cliProgress from 'cli-progress';
import type { CommandHandler } from '../../application/commandHandler.js';
import { acknowledgeNoticeRequest, completeActionItemRequest, organizerRequest, type Actor } from '../../application/requests.js';
import { actionIdFor, caseIdOfNotice, type Meeting } from '../../domain/catalog/index.js';
import type { Agency, AgencyDirectory } from '../../domain/shared/agencies.js';
import type { PlatformConfig } from '../config/schema.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { loadDemo, type DemoLoadResult } from './loader.js';
import { demoScenario, type MutationName } from './scenario.js';

/**
 * Loads the demo city through the same doors a user uses: events through the ingest pipeline as each
 * agency's publisher, meeting work through the command handler (application/) as the organizer, with the
 * commands the GraphQL mutations send (application/requests.ts) — each at the scenario's own time, so meetings
 * happen in the past and their clocks make sense today.
 */
export async function loadDemoCity(deps: {
  config: PlatformConfig;
  agencies: AgencyDirectory;
  pipeline: IngestPipeline;
  /** the handler GraphQL mutations use: resolves once the read models have the change */
  commands: CommandHandler;
  newMeetingId(): string;
  now: Date;
  waitForProjections(position: bigint): Promise<void>;
  signal?: AbortSignal;
}): Promise<DemoLoadResult> {
  const publisherOf = (agencyId: string) => deps.config.principals.find((p) => p.agencyId === agencyId && p.roles.includes('publisher'));
  const organizer = deps.config.principals.find((p) => p.roles.includes('organizer'))!;
  /** the scenario's mutation, as the command its GraphQL mutation sends; resolves with the id the mutation returns */
  const run = async (name: MutationName, actor: Actor, now: string, args: Record<string, any>): Promise<string> => {
    const meeting = async (meetingId: string, command: Record<string, unknown>): Promise<Meeting> =>
      (await deps.commands.execute(organizerRequest(actor, deps.agencies, now, meetingId, command))).state as Meeting;
    switch (name) {
      case 'scheduleMeeting':
        return (await meeting(deps.newMeetingId(), { type: 'ScheduleMeeting', ...args.input })).id;
      case 'nominateCase':
        return (await meeting(args.meetingId, { type: 'NominateCase', caseId: args.caseId, reason: args.reason ?? 'manual' })).id;
      case 'recordMeetingHeld':
        return (await meeting(args.meetingId, { type: 'RecordMeetingHeld', attendees: args.attendees })).id;
      case 'recordResolution':
        return (await meeting(args.meetingId, { type: 'RecordResolution', caseId: args.caseId, text: args.text })).id;
      case 'cancelMeeting':
        return (await meeting(args.id, { type: 'CancelMeeting', reason: args.reason })).id;
      case 'assignActionItem': {
        const { meetingId, caseId, ...rest } = args.input;
        const m = await meeting(meetingId, { type: 'AssignActionItem', caseId: caseId ?? null, ...rest });
        // the item just assigned: the meeting's newest
        return (m.actionItems.find((a) => a.actionId === actionIdFor(meetingId, m.actionItems.length)) ?? m.actionItems[m.actionItems.length - 1]!).actionId;
      }
      case 'completeActionItem': {
        const id = args.id as string;
        await deps.commands.execute(completeActionItemRequest(actor, now, id.slice(0, id.lastIndexOf(':A')), id, args.note ?? null));
        return id;
      }
      case 'acknowledgeNotice': {
        const id = args.id as string;
        await deps.commands.execute(acknowledgeNoticeRequest(actor, deps.agencies, now, caseIdOfNotice(id)!, id));
        return id;
      }
    }
  };
  const bar = new cliProgress.SingleBar({ format: '  载入演示数据 [{bar}] {percentage}% | {value}/{total}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const steps = demoScenario(deps.now);
  let started = false;
  try {
    return await loadDemo(steps, {
      ...(deps.signal ? { signal: deps.signal } : {}),
      publish: async (agencyId, events) => {
        const agency = deps.agencies.get(agencyId) as Agency;
        const results = await deps.pipeline.ingest(
          events.map((e) => ({ value: e, raw: JSON.stringify(e) })),
          { agency, principal: publisherOf(agencyId)?.name ?? null, channel: 'http' },
        );
        // as over HTTP: later steps (an acknowledgement of the notice a judgment caused) read the read models
        const positions = results.flatMap((r) => (r.status === 'accepted' ? [BigInt(r.position)] : []));
        if (positions.length > 0) await deps.waitForProjections(positions.reduce((a, b) => (a > b ? a : b)));
        return results;
      },
      mutate: async (name, asAgency, at, args) => {
        // organizer work as the organizer; completions and acknowledgements as the owning agency
        const acting = name === 'completeActionItem' || name === 'acknowledgeNotice' ? (deps.config.principals.find((p) => p.agencyId === asAgency) ?? organizer) : organizer;
        const actor: Actor = { principal: acting.name, agency: deps.agencies.get(asAgency) ?? deps.agencies.get(acting.agencyId)! };
        return { id: await run(name, actor, new Date(at).toISOString(), args) };
      },
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      },
    });
  } finally {
    if (started) bar.stop();
  }
}
