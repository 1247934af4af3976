import { evolveMeeting, meetingParties, MEETING_EVENT_TYPES, type Meeting, type MeetingState } from '../../domain/catalog/index.js';
import { chinaDate, type IsoDate } from '../../domain/deadlines/index.js';
import type { Projection } from '../projection.js';

/**
 * The meetings in time order, for the questions the dossier and the meeting list ask by date: `meetings(from, to)`
 * (a range of China-time dates, per viewer) and `Meeting.carriedOver` (the action items of held meetings scheduled
 * before a given time that were still open then). One document per meeting, folded by the domain's evolveMeeting,
 * and one ordered range-only index; the resolvers read the meetings it names from the `meetings` collection.
 * (A projection of its own: adding an index to `meetings` would need its documents rebuilt, which a renamed
 * checkpoint alone does not do.)
 */
export const MEETING_CALENDAR = 'meetingCalendar';

export interface MeetingCalendarDoc {
  state: Meeting;
}

export const CALENDAR_INDEX = 'calendar';

const enc = encodeURIComponent;
/** who a date lane is for: everyone (organizers, auditors), or a viewer of an agency that takes part (meetingParties) */
export const CalendarScope = {
  all: '*',
  visibleTo: (agency: string) => `v:${enc(agency)}`,
};

/** UTC, fixed width: sorts as the instants do */
export const utc = (time: string): string => new Date(time).toISOString();

/** the lane of an open action item of a held meeting: `O|<meeting scheduledAt>|<actionId>` */
export const OPEN_ITEM = 'O';
/** the lane of a completed action item of a held meeting: `C|<completedAt>|<meeting scheduledAt>|<actionId>` */
export const DONE_ITEM = 'D';
/** the date lane: `d|<scope>|<China date>|<scheduledAt>` */
export const DATE_LANE = 'd';

export function calendarEntries(m: Meeting): string[] {
  const at = utc(m.scheduledAt);
  const day: IsoDate = chinaDate(m.scheduledAt);
  const entries = [CalendarScope.all, ...meetingParties(m).map(CalendarScope.visibleTo)].map((scope) => `${DATE_LANE}|${scope}|${day}|${at}`);
  if (m.status === 'HELD') {
    for (const item of m.actionItems) {
      entries.push(item.completedAt === null ? `${OPEN_ITEM}|${at}|${item.actionId}` : `${DONE_ITEM}|${utc(item.completedAt)}|${at}|${item.actionId}`);
    }
  }
  return entries;
}

const meetingIdOf = (streamId: string) => streamId.slice('meeting-'.length);

export const meetingCalendarProjection: Projection = {
  name: 'meetingCalendar',
  canHandle: MEETING_EVENT_TYPES,
  collections: [MEETING_CALENDAR],
  rangeIndexes: [CALENDAR_INDEX],
  keys: (event) => (event.streamId.startsWith('meeting-') ? [[MEETING_CALENDAR, meetingIdOf(event.streamId)]] : []),
  evolve(doc, event) {
    const previous: MeetingState = (doc as MeetingCalendarDoc | null)?.state ?? { status: 'none' };
    const state = evolveMeeting(previous, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: meetingIdOf(event.streamId) } as never);
    if (state.status === 'none') return { doc: null };
    if (state === previous) return { doc };
    return { doc: { state } satisfies MeetingCalendarDoc, indexes: { [CALENDAR_INDEX]: calendarEntries(state) } };
  },
};

const TOP = '\u{10ffff}';

/** the ranges of `meetings(from, to)` for a scope: dates inclusive, either end open */
export const dateRange = (scope: string, from: IsoDate | null, to: IsoDate | null) => ({
  from: `${DATE_LANE}|${scope}|${from ?? ''}`,
  to: `${DATE_LANE}|${scope}|${to ?? TOP}|${TOP}`,
});

/**
 * The ranges holding the action items carried over to a meeting scheduled at `at`: open items of held meetings
 * scheduled before it (`O|` below `O|<at>`: the `|` after an equal time sorts above it), and items completed after
 * it (`D|` above `D|<at>|<top>`), of which those whose meeting was scheduled before it are kept (carriedOverItem).
 */
export const carriedOverRanges = (at: string) => {
  const t = utc(at);
  return {
    open: { from: `${OPEN_ITEM}|`, to: `${OPEN_ITEM}|${t}` },
    completedLater: { from: `${DONE_ITEM}|${t}|${TOP}`, to: `${DONE_ITEM}|${TOP}` },
  };
};

/** the action id of a carried-over entry when it belongs (its meeting scheduled before `at`), otherwise null */
export function carriedOverItem(value: string, at: string): string | null {
  const t = utc(at);
  if (value.startsWith(`${OPEN_ITEM}|`)) {
    const [, scheduled, ...rest] = value.split('|');
    return scheduled! < t ? rest.join('|') : null;
  }
  const [, completed, scheduled, ...rest] = value.split('|');
  return completed! > t && scheduled! < t ? rest.join('|') : null;
}
