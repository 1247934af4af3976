import { evolveMeeting, MEETING_EVENT_TYPES, type Meeting, type MeetingState } from '../../domain/catalog/index.js';
import type { Projection } from '../projection.js';

export const MEETINGS = 'meetings';

export interface MeetingDoc {
  state: Meeting;
}

export const MeetingIndex = { all: 'all', participant: 'participant', owner: 'owner' } as const;

const meetingIdOf = (streamId: string) => streamId.slice('meeting-'.length);

export const meetingsProjection: Projection = {
  name: 'meetings',
  canHandle: MEETING_EVENT_TYPES,
  collections: [MEETINGS],
  keys: (event) => (event.streamId.startsWith('meeting-') ? [[MEETINGS, meetingIdOf(event.streamId)]] : []),
  evolve(doc, event) {
    const previous: MeetingState = (doc as MeetingDoc | null)?.state ?? { status: 'none' };
    const state = evolveMeeting(previous, { type: event.type, data: event.data, time: event.metadata.time, source: event.metadata.source, subject: meetingIdOf(event.streamId) } as never);
    if (state.status === 'none') return { doc: null };
    return {
      doc: { state } satisfies MeetingDoc,
      indexes: {
        [MeetingIndex.all]: ['1'],
        [MeetingIndex.participant]: [...new Set([state.organizer, ...state.participants, ...state.attendees])],
        [MeetingIndex.owner]: [...new Set(state.actionItems.map((a) => a.owner))],
      },
    };
  },
};
