import { expect } from 'chai';
import type { RecordedEvent } from '../../../ports/eventStore.js';
import {
  CALENDAR_INDEX,
  carriedOverItem,
  carriedOverRanges,
  dateRange,
  MEETING_CALENDAR,
  meetingCalendarProjection,
  type MeetingCalendarDoc,
} from '../../../projections/meetings/meetingCalendar.projection.js';
import { projectEvents } from '../../../projections/projection.js';
import { at, eventLog } from './support.js';

// Given a meeting stream → then its calendar entries: the date lanes per viewer and the action-item lanes of a held meeting.

interface Projected {
  doc: MeetingCalendarDoc;
  indexes: Record<string, readonly string[]>;
}
const projectOne = (events: readonly RecordedEvent[], meetingId: string): Projected => {
  const found = projectEvents(meetingCalendarProjection, events, {}).get(MEETING_CALENDAR)?.get(meetingId) as Projected | undefined;
  if (!found) throw new Error(`no calendar document ${meetingId}`);
  return found;
};
const utc = (t: string) => new Date(t).toISOString();
/** the entries within a range, as a store's range read finds them */
const within = (values: readonly string[], range: { from: string; to: string }) => values.filter((v) => v >= range.from && v <= range.to);

describe('meetingCalendar projection', () => {
  const e = eventLog();
  const stream = 'meeting-m-1';
  const when = at('2024-09-20', '14:30');
  const scheduled = e(stream, 'ly-justice', 'meeting.scheduled', { meetingId: 'm-1', title: '推进会', scheduledAt: when, participants: ['ly-court', 'ly-gov'], organizer: 'ly-justice' }, at('2024-09-02'));
  const held = e(stream, 'ly-justice', 'meeting.held', { attendees: ['ly-court', 'ly-police'] }, at('2024-09-20', '17:00'));
  const assign = (n: number, owner: string) =>
    e(stream, 'ly-justice', 'action_item.assigned', { actionId: `m-1:A${n}`, caseId: null, text: '报送整改报告', owner, dueDate: '2024-10-20' }, at('2024-09-23'));
  // positions follow creation: the items are assigned before the completion
  const a1 = assign(1, 'ly-gov');
  const a2 = assign(2, 'ly-market');
  const completed = e(stream, 'ly-market', 'action_item.completed', { actionId: 'm-1:A2', note: '已报送' }, at('2024-10-10'));

  it('a scheduled meeting: a date lane for everyone and for each agency taking part, no item lanes', () => {
    const p = projectOne([scheduled], 'm-1');
    expect(p.indexes[CALENDAR_INDEX]).to.deep.equal(['*', 'v:ly-justice', 'v:ly-court', 'v:ly-gov'].map((s) => `d|${s}|2024-09-20|${utc(when)}`));
  });

  it('held: its action items are filed by the meeting time while open, by their completion once completed; owners and attendees see it', () => {
    const p = projectOne([scheduled, held, a1, a2, completed], 'm-1');
    const values = p.indexes[CALENDAR_INDEX]!;
    expect(values.filter((v) => !v.startsWith('d|'))).to.deep.equal([`O|${utc(when)}|m-1:A1`, `D|${utc(at('2024-10-10'))}|${utc(when)}|m-1:A2`]);
    expect(values.filter((v) => v.startsWith('d|')).map((v) => v.split('|')[1])).to.deep.equal(['*', 'v:ly-justice', 'v:ly-court', 'v:ly-gov', 'v:ly-police', 'v:ly-market']);
  });

  it('carried over to a later meeting: open items, and items completed after it; not to the meeting itself or an earlier one', () => {
    const values = projectOne([scheduled, held, a1, a2, completed], 'm-1').indexes[CALENDAR_INDEX]!;
    const carried = (time: string) => {
      const r = carriedOverRanges(time);
      return [...within(values, r.open), ...within(values, r.completedLater)].map((v) => carriedOverItem(v, time)).filter((x) => x !== null);
    };
    expect(carried(at('2024-10-01'))).to.deep.equal(['m-1:A1', 'm-1:A2']); // A2 completed after it
    expect(carried(at('2024-12-01'))).to.deep.equal(['m-1:A1']);
    expect(carried(when)).to.deep.equal([]);
    expect(carried(at('2024-09-01'))).to.deep.equal([]);
  });

  it('meetings(from, to): the date lanes cut by China-time dates, inclusive', () => {
    const values = projectOne([scheduled], 'm-1').indexes[CALENDAR_INDEX]!;
    expect(within(values, dateRange('*', '2024-09-20', '2024-09-20'))).to.have.length(1);
    expect(within(values, dateRange('*', null, '2024-09-19'))).to.have.length(0);
    expect(within(values, dateRange('*', '2024-09-21', null))).to.have.length(0);
    expect(within(values, dateRange('v:ly-gov', null, null))).to.have.length(1);
    expect(within(values, dateRange('v:ly-police', null, null))).to.have.length(0);
  });
});
