/**
 * From a published fact to a command: where it is stored (`routeOf`) and what it asks the decider to do
 * (`toCommand`). The ingest pipeline has already validated the envelope and the data schema and resolved
 * `source` to a configured agency; the data is checked here once more against the same schema (cheap, and
 * it keeps the deciders' typed view honest for facts that did not come through ajv).
 */
import type { Agency } from '../shared/agencies.js';
import { DomainError } from '../shared/errors.js';
import { SUBJECT_PATTERN, caseStream, meetingStream } from '../shared/events.js';
import type { CaseCommand, CaseFactType } from '../cases/decide.js';
import { COMMAND_OF_FACT_TYPE } from '../cases/decide.js';
import type { CompleteActionItem, MeetingCommand } from '../meetings/decide.js';
import { meetingIdOfAction } from '../meetings/meeting.js';
import { statsStream, type FilingsReportedData } from '../stats/filings.js';
import type { ReportFilings, StatsCommand } from '../stats/decide.js';
import { CATALOG } from './catalog.js';
import type { DecisionContext } from './context.js';
import { schemaProblem } from './values.js';
import type { CatalogType } from './schemas.js';
import { currentVersion, dataSchemaOf, upcast } from './versions.js';

/** A published event that passed the envelope and schema checks, its source resolved to a configured agency. */
export interface PublishedFact {
  /** CloudEvent id */
  readonly id: string;
  readonly source: Agency;
  readonly type: string;
  /** the case id (or, for `action_item.completed` without a case, the meeting id) */
  readonly subject: string;
  /** RFC 3339 with offset */
  readonly time: string;
  readonly data: Record<string, unknown>;
  /** the catalog version `data` was published under (versions.ts); absent = the type's current version */
  readonly version?: number;
}

export interface Route {
  readonly streamId: string;
  readonly kind: 'case' | 'meeting' | 'stats';
}

/** The meeting an action item belongs to; `invalid_data` when the id is not `${meetingId}:A${n}`. */
export const meetingIdOfActionId = (actionId: unknown): string => {
  const meetingId = typeof actionId === 'string' ? meetingIdOfAction(actionId) : null;
  if (meetingId === null || !SUBJECT_PATTERN.test(meetingId)) {
    throw new DomainError('invalid_data', `actionId「${String(actionId)}」格式不正确：应为「会议编号:A序号」，如 m-2024-09:A1。`);
  }
  return meetingId;
};

/**
 * Case facts go to `case-<subject>`; `action_item.completed` goes to the stream of the meeting that assigned it; a
 * court's `court.filings_reported` to its statistics stream `stats-<source>` (events.md §3 Court).
 */
export const routeOf = (fact: Pick<PublishedFact, 'type' | 'subject' | 'data'> & { readonly source?: Pick<Agency, 'id'> }): Route => {
  if (fact.type === 'action_item.completed') return { streamId: meetingStream(meetingIdOfActionId(fact.data.actionId)), kind: 'meeting' };
  if (CATALOG.get(fact.type)?.stream === 'stats') {
    if (fact.source === undefined) throw new TypeError(`${fact.type} is routed by its source agency`);
    return { streamId: statsStream(fact.source.id), kind: 'stats' };
  }
  return { streamId: caseStream(fact.subject), kind: 'case' };
};

/** Translates a published fact into the command its stream's decider decides. */
export const toCommand = (fact: PublishedFact, ctx: DecisionContext): CaseCommand | MeetingCommand | StatsCommand => {
  const entry = CATALOG.get(fact.type);
  if (!entry) throw new DomainError('unknown_type', `未知事件类型「${fact.type}」：请对照事件目录（events.md §3）。`);
  // checked against the version it was published under, then decided in the current shape (an old version's
  // meaning carried over by its upcaster), the same shape a later read of the stored event gets
  const version = fact.version ?? currentVersion(entry.type);
  const schema = dataSchemaOf(entry.type, version);
  if (!schema) throw new DomainError('invalid_data', `事件目录中 ${fact.type} 没有第 ${version} 版`);
  const problem = schemaProblem(schema, fact.data);
  const named = version === currentVersion(entry.type) ? fact.type : `${fact.type}（第 ${version} 版）`;
  if (problem) throw new DomainError('invalid_data', `data 不符合 ${named} 的格式：${problem}`);
  const data = upcast(entry.type as CatalogType, version, fact.data);

  if (entry.stream === 'stats') {
    const command: ReportFilings = { type: 'ReportFilings', subject: fact.subject, by: fact.source, time: fact.time, data: data as FilingsReportedData };
    return command;
  }
  if (fact.type === 'action_item.completed') {
    const note = data.note;
    const command: CompleteActionItem = {
      type: 'CompleteActionItem',
      meetingId: meetingIdOfActionId(data.actionId),
      actionId: data.actionId as string,
      by: fact.source,
      time: fact.time,
      subject: fact.subject,
      ...(typeof note === 'string' ? { note } : {}),
    };
    return command;
  }
  return {
    type: COMMAND_OF_FACT_TYPE[fact.type as CaseFactType],
    caseId: fact.subject,
    by: fact.source,
    time: fact.time,
    data,
    context: ctx,
  } as CaseCommand;
};
