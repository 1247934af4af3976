/**
 * A liaison meeting stream (`meeting-<meetingId>`, 府院联动推进会): events, state, evolve.
 * Every type here is the platform's own except `action_item.completed`, which owners may also publish.
 * `source` is the organizer's agency for mutations, the owner agency for completions.
 */
import type { DomainEvent } from '../shared/events.js';

export type MeetingScheduledData = {
  readonly meetingId: string;
  readonly title: string;
  readonly scheduledAt: string;
  readonly participants: readonly string[];
  /** the organizer's agency */
  readonly organizer: string;
};
export type CaseNominatedData = {
  readonly caseId: string;
  /** `manual`, or an attention reason (overdue_handoff, agency_lost, …) */
  readonly reason: string;
};
export type MeetingHeldData = {
  readonly attendees: readonly string[];
};
export type ResolutionRecordedData = {
  readonly caseId: string;
  readonly text: string;
};
export type ActionItemAssignedData = {
  /** `${meetingId}:A${n}`, n = 1, 2, … in order of assignment */
  readonly actionId: string;
  readonly caseId: string | null;
  readonly text: string;
  readonly owner: string;
  readonly dueDate: string;
};
export type ActionItemCompletedData = {
  readonly actionId: string;
  readonly note?: string;
};
export type MeetingCancelledData = {
  readonly reason: string;
};

export interface MeetingEventDataByType {
  'meeting.scheduled': MeetingScheduledData;
  'meeting.case_nominated': CaseNominatedData;
  'meeting.held': MeetingHeldData;
  'meeting.resolution_recorded': ResolutionRecordedData;
  'action_item.assigned': ActionItemAssignedData;
  'action_item.completed': ActionItemCompletedData;
  'meeting.cancelled': MeetingCancelledData;
}
export type MeetingEventType = keyof MeetingEventDataByType;
export type MeetingEvent = { [T in MeetingEventType]: DomainEvent<T, MeetingEventDataByType[T]> }[MeetingEventType];

export const MEETING_EVENT_TYPES: readonly MeetingEventType[] = [
  'meeting.scheduled',
  'meeting.case_nominated',
  'meeting.held',
  'meeting.resolution_recorded',
  'action_item.assigned',
  'action_item.completed',
  'meeting.cancelled',
];

export type MeetingStatus = 'SCHEDULED' | 'HELD' | 'CANCELLED';

export interface AgendaItem {
  readonly caseId: string;
  readonly reason: string;
  readonly resolution: string | null;
  readonly nominatedAt: string;
  readonly resolvedAt: string | null;
}

export interface ActionItem {
  readonly actionId: string;
  readonly meetingId: string;
  readonly caseId: string | null;
  readonly text: string;
  readonly owner: string;
  readonly dueDate: string;
  readonly assignedAt: string;
  readonly completedAt: string | null;
  readonly note: string | null;
}

export interface Meeting {
  readonly status: MeetingStatus;
  readonly id: string;
  readonly title: string;
  readonly scheduledAt: string;
  /** organizer's agency id */
  readonly organizer: string;
  readonly participants: readonly string[];
  readonly attendees: readonly string[];
  readonly agenda: readonly AgendaItem[];
  readonly actionItems: readonly ActionItem[];
  /** when the meeting was put in the calendar */
  readonly createdAt: string;
  readonly heldAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancelReason: string | null;
}

export type MeetingState = { readonly status: 'none' } | Meeting;

export const initialMeetingState = (): MeetingState => ({ status: 'none' });

/**
 * The agencies that take part in a meeting — organizer, participants, attendees — and those it gave an action item:
 * a viewer of one of them may see the meeting (graphql.md "Access"). No repeats.
 */
export const meetingParties = (m: Pick<Meeting, 'organizer' | 'participants' | 'attendees' | 'actionItems'>): string[] => [
  ...new Set([m.organizer, ...m.participants, ...m.attendees, ...m.actionItems.map((a) => a.owner)]),
];

/** The action item id format: `${meetingId}:A${n}`. */
export const actionIdFor = (meetingId: string, n: number): string => `${meetingId}:A${n}`;

/** The meeting of an action item id (the part before the last ':A'), or null when the id is malformed. */
export const meetingIdOfAction = (actionId: string): string | null => {
  const at = actionId.lastIndexOf(':A');
  if (at <= 0) return null;
  return /^[1-9][0-9]{0,8}$/.test(actionId.slice(at + 2)) ? actionId.slice(0, at) : null;
};

/**
 * One action item after one of its events: the single definition of an item's life, used by the meeting fold and
 * by read models that keep one document per item (projections/clocks). Null for a completion of an item that does
 * not exist yet; the item itself for an event that does not change it.
 */
export const evolveActionItem = (item: ActionItem | null, input: DomainEvent, meetingId: string): ActionItem | null => {
  const event = input as MeetingEvent;
  if (event.type === 'action_item.assigned') {
    const d = event.data;
    return {
      actionId: d.actionId,
      meetingId,
      caseId: d.caseId,
      text: d.text,
      owner: d.owner,
      dueDate: d.dueDate,
      assignedAt: event.time,
      completedAt: null,
      note: null,
    };
  }
  if (item === null) return null;
  if (event.type === 'action_item.completed' && event.data.actionId === item.actionId) return { ...item, completedAt: event.time, note: event.data.note ?? null };
  return item;
};

export const evolveMeeting = (state: MeetingState, input: DomainEvent): MeetingState => {
  const event = input as MeetingEvent;
  if (event.type === 'meeting.scheduled') {
    if (state.status !== 'none') return state;
    const d = event.data;
    return {
      status: 'SCHEDULED',
      id: d.meetingId,
      title: d.title,
      scheduledAt: d.scheduledAt,
      organizer: d.organizer,
      participants: d.participants,
      attendees: [],
      agenda: [],
      actionItems: [],
      createdAt: event.time,
      heldAt: null,
      cancelledAt: null,
      cancelReason: null,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'meeting.case_nominated':
      if (state.agenda.some((a) => a.caseId === event.data.caseId)) return state;
      return {
        ...state,
        agenda: [...state.agenda, { caseId: event.data.caseId, reason: event.data.reason, resolution: null, nominatedAt: event.time, resolvedAt: null }],
      };
    case 'meeting.held':
      return { ...state, status: 'HELD', attendees: event.data.attendees, heldAt: event.time };
    case 'meeting.resolution_recorded':
      return {
        ...state,
        agenda: state.agenda.map((a) => (a.caseId === event.data.caseId ? { ...a, resolution: event.data.text, resolvedAt: event.time } : a)),
      };
    case 'action_item.assigned':
      return { ...state, actionItems: [...state.actionItems, evolveActionItem(null, event, state.id)!] };
    case 'action_item.completed':
      return {
        ...state,
        actionItems: state.actionItems.map((a) => (a.actionId === event.data.actionId ? evolveActionItem(a, event, state.id)! : a)),
      };
    case 'meeting.cancelled':
      return { ...state, status: 'CANCELLED', cancelledAt: event.time, cancelReason: event.data.reason };
    default:
      return state;
  }
};
