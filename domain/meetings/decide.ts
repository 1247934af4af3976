/**
 * Rules of a liaison meeting. Commands come from the organizer's GraphQL mutations, and
 * `CompleteActionItem` also from a published `action_item.completed`. Role checks (who is an organizer)
 * are the gateway's; whether a nominated case exists is checked by the resolver against the case stream.
 *
 * Codes: agency ids that are not configured → `unknown_agency`; malformed values → `invalid_data`;
 * every lifecycle rule, including "only the owner may complete" → `invalid_transition`.
 */
import type { Agency, AgencyDirectory } from '../shared/agencies.js';
import type { Decider } from '../shared/decider.js';
import { DomainError } from '../shared/errors.js';
import type { DomainEvent } from '../shared/events.js';
import { SUBJECT_PATTERN } from '../shared/events.js';
import { isIsoDate, isRfc3339 } from '../catalog/values.js';
import type { Meeting, MeetingEvent, MeetingState, MeetingStatus } from './meeting.js';
import { actionIdFor, evolveMeeting, initialMeetingState } from './meeting.js';

export interface ScheduleMeeting {
  readonly type: 'ScheduleMeeting';
  readonly meetingId: string;
  readonly title: string;
  readonly scheduledAt: string;
  readonly participants: readonly string[];
  readonly organizer: Agency;
  readonly agencies: AgencyDirectory;
  readonly now: string;
}
export interface NominateCase {
  readonly type: 'NominateCase';
  readonly meetingId: string;
  readonly caseId: string;
  /** default `manual` */
  readonly reason?: string | null;
  readonly organizer: Agency;
  readonly now: string;
}
export interface RecordMeetingHeld {
  readonly type: 'RecordMeetingHeld';
  readonly meetingId: string;
  readonly attendees: readonly string[];
  readonly organizer: Agency;
  readonly agencies: AgencyDirectory;
  readonly now: string;
}
export interface RecordResolution {
  readonly type: 'RecordResolution';
  readonly meetingId: string;
  readonly caseId: string;
  readonly text: string;
  readonly organizer: Agency;
  readonly now: string;
}
export interface AssignActionItem {
  readonly type: 'AssignActionItem';
  readonly meetingId: string;
  readonly caseId?: string | null;
  readonly text: string;
  /** the agency responsible (责任单位) */
  readonly owner: string;
  readonly dueDate: string;
  readonly organizer: Agency;
  readonly agencies: AgencyDirectory;
  readonly now: string;
}
export interface CompleteActionItem {
  readonly type: 'CompleteActionItem';
  readonly meetingId: string;
  readonly actionId: string;
  /** the agency reporting completion (must be the owner) */
  readonly by: Agency;
  readonly note?: string | null;
  /** envelope time, or the mutation time */
  readonly time: string;
  /** envelope subject when published: must be the item's case id, or the meeting id for an item without a case */
  readonly subject?: string | null;
}
export interface CancelMeeting {
  readonly type: 'CancelMeeting';
  readonly meetingId: string;
  readonly reason: string;
  readonly organizer: Agency;
  readonly now: string;
}

export type MeetingCommand =
  | ScheduleMeeting
  | NominateCase
  | RecordMeetingHeld
  | RecordResolution
  | AssignActionItem
  | CompleteActionItem
  | CancelMeeting;

const STATUS_NAMES: Record<MeetingStatus, string> = { SCHEDULED: '已安排', HELD: '已召开', CANCELLED: '已取消' };

const fail = (code: DomainError['code'], message: string): never => {
  throw new DomainError(code, message);
};

const requireText = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value.trim() === '') return fail('invalid_data', `${field} 不能为空。`);
  return value;
};

const requireCaseId = (caseId: unknown): string => {
  if (typeof caseId !== 'string' || !SUBJECT_PATTERN.test(caseId)) return fail('invalid_data', `案件编号「${String(caseId)}」格式不正确。`);
  return caseId;
};

/** Configured agencies, in the given order, once each. */
const requireAgencies = (ids: readonly string[], agencies: AgencyDirectory, field: string): string[] => {
  const unique: string[] = [];
  for (const id of ids) {
    if (!agencies.has(id)) fail('unknown_agency', `${field} 中的机关代码「${id}」未在平台配置：请核对机关代码。`);
    if (!unique.includes(id)) unique.push(id);
  }
  return unique;
};

const requireMeeting = (state: MeetingState, meetingId: string): Meeting => {
  if (state.status === 'none') return fail('invalid_transition', `会议「${meetingId}」不存在：请核对会议编号，或先安排会议（scheduleMeeting）。`);
  return state;
};

const requireStatus = (meeting: Meeting, allowed: readonly MeetingStatus[], action: string): void => {
  if (!allowed.includes(meeting.status)) {
    fail(
      'invalid_transition',
      `会议「${meeting.title}」当前状态为「${STATUS_NAMES[meeting.status]}」，不能${action}：只有「${allowed.map((s) => STATUS_NAMES[s]).join('、')}」的会议可以${action}。`,
    );
  }
};

const scheduleMeeting = (command: ScheduleMeeting, state: MeetingState): MeetingEvent[] => {
  if (!SUBJECT_PATTERN.test(command.meetingId)) fail('invalid_data', `会议编号「${command.meetingId}」格式不正确（1–128 个字母、数字或 . _ : -）。`);
  const title = requireText(command.title, '会议名称（title）');
  if (!isRfc3339(command.scheduledAt)) fail('invalid_data', `会议时间（scheduledAt）「${command.scheduledAt}」应为带时区的 RFC 3339 时间。`);
  const participants = requireAgencies(command.participants, command.agencies, 'participants');
  if (state.status !== 'none') fail('invalid_transition', `会议「${command.meetingId}」已经存在（${state.title}），不能重复安排。`);
  return [
    {
      type: 'meeting.scheduled',
      data: { meetingId: command.meetingId, title, scheduledAt: command.scheduledAt, participants, organizer: command.organizer.id },
      time: command.now,
      source: command.organizer.id,
    },
  ];
};

const nominateCase = (command: NominateCase, state: MeetingState): MeetingEvent[] => {
  const caseId = requireCaseId(command.caseId);
  const reason = command.reason == null || command.reason.trim() === '' ? 'manual' : command.reason;
  const meeting = requireMeeting(state, command.meetingId);
  requireStatus(meeting, ['SCHEDULED', 'HELD'], '列入议题');
  if (meeting.agenda.some((a) => a.caseId === caseId)) fail('invalid_transition', `案件「${caseId}」已在会议「${meeting.title}」的议程中，不能重复列入。`);
  return [{ type: 'meeting.case_nominated', data: { caseId, reason }, time: command.now, source: command.organizer.id }];
};

const recordMeetingHeld = (command: RecordMeetingHeld, state: MeetingState): MeetingEvent[] => {
  const attendees = requireAgencies(command.attendees, command.agencies, 'attendees');
  const meeting = requireMeeting(state, command.meetingId);
  if (meeting.status === 'HELD') fail('invalid_transition', `会议「${meeting.title}」已于 ${meeting.heldAt} 记录召开，不能重复记录。`);
  requireStatus(meeting, ['SCHEDULED'], '记录召开');
  return [{ type: 'meeting.held', data: { attendees }, time: command.now, source: command.organizer.id }];
};

const recordResolution = (command: RecordResolution, state: MeetingState): MeetingEvent[] => {
  const caseId = requireCaseId(command.caseId);
  const text = requireText(command.text, '决议内容（text）');
  const meeting = requireMeeting(state, command.meetingId);
  requireStatus(meeting, ['SCHEDULED', 'HELD'], '记录决议');
  if (!meeting.agenda.some((a) => a.caseId === caseId)) {
    fail('invalid_transition', `案件「${caseId}」不在会议「${meeting.title}」的议程中：请先列入议题（nominateCase），再记录决议。`);
  }
  return [{ type: 'meeting.resolution_recorded', data: { caseId, text }, time: command.now, source: command.organizer.id }];
};

const assignActionItem = (command: AssignActionItem, state: MeetingState): MeetingEvent[] => {
  const caseId = command.caseId == null || command.caseId === '' ? null : requireCaseId(command.caseId);
  const text = requireText(command.text, '督办事项内容（text）');
  if (!isIsoDate(command.dueDate)) fail('invalid_data', `完成期限（dueDate）「${command.dueDate}」应为存在的日期 YYYY-MM-DD。`);
  requireAgencies([command.owner], command.agencies, 'owner');
  const meeting = requireMeeting(state, command.meetingId);
  requireStatus(meeting, ['HELD'], '交办督办事项');
  const actionId = actionIdFor(meeting.id || command.meetingId, meeting.actionItems.length + 1);
  return [
    {
      type: 'action_item.assigned',
      data: { actionId, caseId, text, owner: command.owner, dueDate: command.dueDate },
      time: command.now,
      source: command.organizer.id,
    },
  ];
};

const completeActionItem = (command: CompleteActionItem, state: MeetingState): MeetingEvent[] => {
  const item = state.status === 'none' ? undefined : state.actionItems.find((a) => a.actionId === command.actionId);
  if (!item) return fail('invalid_transition', `督办事项「${command.actionId}」不存在：请核对 actionId。`);
  if (command.subject != null) {
    const expected = item.caseId ?? item.meetingId;
    if (command.subject !== expected) {
      fail('invalid_data', `督办事项「${item.actionId}」${item.caseId ? `涉及案件「${item.caseId}」` : `属于会议「${item.meetingId}」`}，subject 应为「${expected}」，而不是「${command.subject}」。`);
    }
  }
  if (command.by.id !== item.owner) fail('invalid_transition', `督办事项「${item.actionId}」的责任单位是 ${item.owner}，只有责任单位可以报告完成；${command.by.name} 不是责任单位。`);
  if (item.completedAt !== null) fail('invalid_transition', `督办事项「${item.actionId}」已于 ${item.completedAt} 完成，不能重复报告。`);
  const data = command.note == null ? { actionId: command.actionId } : { actionId: command.actionId, note: command.note };
  return [{ type: 'action_item.completed', data, time: command.time, source: command.by.id }];
};

const cancelMeeting = (command: CancelMeeting, state: MeetingState): MeetingEvent[] => {
  const reason = requireText(command.reason, '取消原因（reason）');
  const meeting = requireMeeting(state, command.meetingId);
  if (meeting.status === 'CANCELLED') fail('invalid_transition', `会议「${meeting.title}」已于 ${meeting.cancelledAt} 取消，不能重复取消。`);
  requireStatus(meeting, ['SCHEDULED'], '取消');
  return [{ type: 'meeting.cancelled', data: { reason }, time: command.now, source: command.organizer.id }];
};

export const decideMeeting = (command: MeetingCommand, state: MeetingState): MeetingEvent[] => {
  switch (command.type) {
    case 'ScheduleMeeting':
      return scheduleMeeting(command, state);
    case 'NominateCase':
      return nominateCase(command, state);
    case 'RecordMeetingHeld':
      return recordMeetingHeld(command, state);
    case 'RecordResolution':
      return recordResolution(command, state);
    case 'AssignActionItem':
      return assignActionItem(command, state);
    case 'CompleteActionItem':
      return completeActionItem(command, state);
    case 'CancelMeeting':
      return cancelMeeting(command, state);
    default: {
      const _exhaustive: never = command;
      throw new Error(`unknown meeting command ${JSON.stringify(_exhaustive)}`);
    }
  }
};

export const meetingDecider: Decider<MeetingCommand, DomainEvent, MeetingState> = {
  decide: decideMeeting,
  evolve: evolveMeeting,
  initialState: initialMeetingState,
};
